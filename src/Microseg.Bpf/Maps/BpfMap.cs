using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// A BPF map: either one of a loaded <see cref="BpfObject"/>'s maps (the object owns the
/// fd; disposing the map does nothing) or one opened from a pin or id (this instance owns
/// the fd and closes it on dispose). Use <see cref="As{TKey, TValue}"/> for typed,
/// allocation-free access.
/// </summary>
public sealed unsafe partial class BpfMap : BpfKernelObject
{
    internal BpfMap(BpfObject owner, nint libbpfMap, string name) : base(owner, libbpfMap, name)
    {
    }

    private BpfMap(SafeFdHandle fd) : this(fd, QueryInfo<BpfMapInfo>(fd, "map"))
    {
    }

    private BpfMap(SafeFdHandle fd, BpfMapInfo info) : base(fd, NameOf(info))
    {
        _info = info;
        _haveInfo = true;
    }

    /// <summary>The kernel's description; read once, when first needed.</summary>
    private BpfMapInfo _info;
    private bool _haveInfo;

    private ref readonly BpfMapInfo Info
    {
        get
        {
            if (!_haveInfo)
            {
                _info = QueryInfo<BpfMapInfo>(Handle, "map");
                _haveInfo = true;
            }
            return ref _info;
        }
    }

    private protected override string Kind => "map";

    /// <summary>The map type.</summary>
    public BpfMapType Type => Owner is not null ? (BpfMapType)Interop.Libbpf.bpf_map__type(LibbpfHandle) : (BpfMapType)Info.Type;

    /// <summary>Key size in bytes.</summary>
    public uint KeySize => Owner is not null ? Interop.Libbpf.bpf_map__key_size(LibbpfHandle) : Info.KeySize;

    /// <summary>Value size in bytes; for per-CPU maps, the size of one CPU's value.</summary>
    public uint ValueSize => Owner is not null ? Interop.Libbpf.bpf_map__value_size(LibbpfHandle) : Info.ValueSize;

    /// <summary>Capacity (for a ring buffer: its size in bytes).</summary>
    public uint MaxEntries => Owner is not null ? Interop.Libbpf.bpf_map__max_entries(LibbpfHandle) : Info.MaxEntries;

    /// <summary>BPF_F_* creation flags.</summary>
    public uint Flags => Owner is not null ? Interop.Libbpf.bpf_map__map_flags(LibbpfHandle) : Info.Flags;

    /// <summary>The kernel's id for the map (needs the fd).</summary>
    public uint Id => Info.Id;

    /// <summary>True for the per-CPU types, whose lookups return one value per possible CPU.</summary>
    public bool IsPerCpu => Type is BpfMapType.PerCpuArray or BpfMapType.PerCpuHash or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;

    /// <summary>The number of possible CPUs (libbpf_num_possible_cpus), the length of per-CPU value spans. Cached.</summary>
    public static int PossibleCpuCount => s_possibleCpus > 0 ? s_possibleCpus : s_possibleCpus = QueryPossibleCpus();

    private static int s_possibleCpus;

    /// <summary>
    /// A typed view. Checks sizeof(TKey) against the key size and sizeof(TValue) against
    /// the value size (per CPU for per-CPU maps) so a stale C# mirror fails here, by name.
    /// </summary>
    public BpfMap<TKey, TValue> As<TKey, TValue>() where TKey : unmanaged where TValue : unmanaged
    {
        uint keySize = KeySize, valueSize = ValueSize;
        if ((uint)sizeof(TKey) != keySize || (uint)sizeof(TValue) != valueSize)
        {
            throw new ArgumentException(
                $"Map '{Name}' has {keySize}-byte keys and {valueSize}-byte values{(IsPerCpu ? " (per CPU)" : string.Empty)}, " +
                $"but {typeof(TKey).Name} is {sizeof(TKey)} bytes and {typeof(TValue).Name} is {sizeof(TValue)} bytes; the C# mirror is out of sync with the BPF object.");
        }
        return new BpfMap<TKey, TValue>(this, IsPerCpu);
    }

    /// <summary>Opens a pinned map (bpf_obj_get); the returned map owns its fd.</summary>
    public static BpfMap OpenPinned(string path) => new(new SafeFdHandle(BpfPin.Get(path)));

    /// <summary>Opens a map by kernel id; the returned map owns its fd.</summary>
    public static BpfMap OpenById(uint id)
    {
        int fd = Interop.Libbpf.bpf_map_get_fd_by_id(id);
        if (fd < 0)
            Interop.Throw(fd, "bpf_map_get_fd_by_id", $"map id {id}");
        return new BpfMap(new SafeFdHandle(fd));
    }

    private protected override int LibbpfFd(out string call)
    {
        call = "bpf_map__fd";
        return Interop.Libbpf.bpf_map__fd(LibbpfHandle);
    }

    private static string NameOf(in BpfMapInfo info)
    {
        fixed (byte* name = info.Name)
            return Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
    }

    private static int QueryPossibleCpus()
    {
        int count = Interop.Libbpf.libbpf_num_possible_cpus();
        if (count <= 0)
            Interop.Throw(count, "libbpf_num_possible_cpus");
        return count;
    }
}
