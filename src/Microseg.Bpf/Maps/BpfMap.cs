using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// A BPF map: either one of a loaded <see cref="BpfObject"/>'s maps (the object owns the
/// fd; disposing the map does nothing) or one opened from a pin or id (this instance owns
/// the fd and closes it on dispose). Use <see cref="As{TKey, TValue}"/> for typed,
/// allocation-free access.
/// </summary>
public sealed unsafe partial class BpfMap : IDisposable
{
    /// <summary>The owning object for object maps; null for fd-owning maps.</summary>
    private readonly BpfObject? _owner;

    /// <summary>libbpf's <c>struct bpf_map*</c> for object maps; 0 otherwise.</summary>
    private readonly nint _libbpfMap;

    /// <summary>The fd this instance owns (pinned/by-id maps); null for object maps.</summary>
    private readonly SafeFdHandle? _ownedFd;

    /// <summary>Cached fd; -1 until known (object not loaded) and again once closed.</summary>
    private int _fd = -1;

    /// <summary>The kernel's description; read once, when the fd is first known.</summary>
    private BpfMapInfo _info;
    private bool _haveInfo;

    internal BpfMap(BpfObject owner, nint libbpfMap, string name)
    {
        _owner = owner;
        _libbpfMap = libbpfMap;
        Name = name;
    }

    private BpfMap(SafeFdHandle fd)
    {
        _ownedFd = fd;
        _fd = fd.Fd;
        _info = QueryInfo(_fd);
        _haveInfo = true;
        fixed (byte* name = _info.Name)
            Name = Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
    }

    /// <summary>The map's name (from the object, or the kernel's 15-character name for opened maps).</summary>
    public string Name { get; }

    /// <summary>The map's fd. Throws before the owning object is loaded or after disposal.</summary>
    public int Fd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int fd = _fd;
            return fd >= 0 ? fd : ResolveFd();
        }
    }

    /// <summary>The map type.</summary>
    public BpfMapType Type => _owner is not null ? (BpfMapType)Interop.Libbpf.bpf_map__type(_libbpfMap) : (BpfMapType)Info.Type;

    /// <summary>Key size in bytes.</summary>
    public uint KeySize => _owner is not null ? Interop.Libbpf.bpf_map__key_size(_libbpfMap) : Info.KeySize;

    /// <summary>Value size in bytes; for per-CPU maps, the size of one CPU's value.</summary>
    public uint ValueSize => _owner is not null ? Interop.Libbpf.bpf_map__value_size(_libbpfMap) : Info.ValueSize;

    /// <summary>Capacity (for a ring buffer: its size in bytes).</summary>
    public uint MaxEntries => _owner is not null ? Interop.Libbpf.bpf_map__max_entries(_libbpfMap) : Info.MaxEntries;

    /// <summary>BPF_F_* creation flags.</summary>
    public uint Flags => _owner is not null ? Interop.Libbpf.bpf_map__map_flags(_libbpfMap) : Info.Flags;

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

    /// <summary>Pins the map at a path on bpffs (bpf_obj_pin).</summary>
    public void Pin(string path) => BpfPin.Pin(Fd, path, $"map '{Name}'");

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

    /// <summary>Closes the fd if this instance owns it; object maps are closed by their object.</summary>
    public void Dispose()
    {
        if (_ownedFd is null)
            return;
        _fd = -1;
        _ownedFd.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"BPF map '{Name}'";

    /// <summary>Called by the owning object when it closes its fds.</summary>
    internal void Invalidate() => _fd = -1;

    private ref readonly BpfMapInfo Info
    {
        get
        {
            if (!_haveInfo)
            {
                _info = QueryInfo(Fd);
                _haveInfo = true;
            }
            return ref _info;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ResolveFd()
    {
        if (_owner is null || _owner.IsDisposed || (_ownedFd?.IsClosed ?? false))
            throw new ObjectDisposedException(ToString());
        if (!_owner.IsLoaded)
            throw new InvalidOperationException($"{this} has no fd until its object {_owner.Path} is loaded.");
        int fd = Interop.Libbpf.bpf_map__fd(_libbpfMap);
        if (fd < 0)
            Interop.Throw(fd, "bpf_map__fd", ToString());
        return _fd = fd;
    }

    private static BpfMapInfo QueryInfo(int fd)
    {
        BpfMapInfo info = default;
        uint length = (uint)sizeof(BpfMapInfo);
        int rc = Interop.Libbpf.bpf_obj_get_info_by_fd(fd, &info, &length);
        if (rc < 0)
            Interop.Throw(rc, "bpf_obj_get_info_by_fd", $"map fd {fd}");
        return info;
    }

    private static int QueryPossibleCpus()
    {
        int count = Interop.Libbpf.libbpf_num_possible_cpus();
        if (count <= 0)
            Interop.Throw(count, "libbpf_num_possible_cpus");
        return count;
    }
}
