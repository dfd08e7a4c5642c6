using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// A loaded BPF program: one of a <see cref="BpfObject"/>'s programs (the object owns the
/// fd) or one opened from a pin or id (this instance owns the fd; dispose closes it).
/// </summary>
public sealed unsafe partial class BpfProgram : IDisposable
{
    /// <summary>The owning object for object programs; null for fd-owning programs.</summary>
    private readonly BpfObject? _owner;

    /// <summary>libbpf's <c>struct bpf_program*</c> for object programs; 0 otherwise.</summary>
    private readonly nint _libbpfProgram;

    /// <summary>The fd this instance owns (pinned/by-id programs); null for object programs.</summary>
    private readonly SafeFdHandle? _ownedFd;

    /// <summary>Cached fd; -1 until the object is loaded and again once closed.</summary>
    private int _fd = -1;

    /// <summary>Kernel info (type, id, tag, name), read once when first needed.</summary>
    private BpfProgInfo _info;
    private bool _haveInfo;

    /// <summary>The tag as hex, formatted once.</summary>
    private string? _tag;

    internal BpfProgram(BpfObject owner, nint libbpfProgram, string name)
    {
        _owner = owner;
        _libbpfProgram = libbpfProgram;
        Name = name;
    }

    private BpfProgram(SafeFdHandle fd)
    {
        _ownedFd = fd;
        _fd = fd.Fd;
        _info = QueryInfo(_fd);
        _haveInfo = true;
        fixed (byte* name = _info.Name)
            Name = Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
    }

    /// <summary>The C function name (or the kernel's 15-character name for opened programs).</summary>
    public string Name { get; }

    /// <summary>The program's fd. Throws before the owning object is loaded or after disposal.</summary>
    public int Fd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int fd = _fd;
            return fd >= 0 ? fd : ResolveFd();
        }
    }

    /// <summary>The program type (known before load for object programs).</summary>
    public BpfProgramType ProgramType
        => _owner is not null ? (BpfProgramType)Interop.Libbpf.bpf_program__type(_libbpfProgram) : (BpfProgramType)Info.Type;

    /// <summary>The kernel's id for the loaded program (what XDP/TC queries report).</summary>
    public uint Id => Info.Id;

    /// <summary>The kernel's 8-byte program tag (a hash of the instructions) as 16 lowercase hex digits.</summary>
    public string Tag
    {
        get
        {
            if (_tag is null)
            {
                BpfProgInfo info = Info;
                _tag = Convert.ToHexStringLower(new ReadOnlySpan<byte>(info.Tag, 8));
            }
            return _tag;
        }
    }

    /// <summary>Pins the program at a path on bpffs (bpf_obj_pin).</summary>
    public void Pin(string path) => BpfPin.Pin(Fd, path, $"program '{Name}'");

    /// <summary>Opens a pinned program (bpf_obj_get); the returned program owns its fd.</summary>
    public static BpfProgram OpenPinned(string path) => new(new SafeFdHandle(BpfPin.Get(path)));

    /// <summary>Opens a program by kernel id (e.g. one an XDP query reported); the returned program owns its fd.</summary>
    public static BpfProgram OpenById(uint id)
    {
        int fd = Interop.Libbpf.bpf_prog_get_fd_by_id(id);
        if (fd < 0)
            Interop.Throw(fd, "bpf_prog_get_fd_by_id", $"program id {id}");
        return new BpfProgram(new SafeFdHandle(fd));
    }

    /// <summary>Closes the fd if this instance owns it; object programs are closed by their object.</summary>
    public void Dispose()
    {
        if (_ownedFd is null)
            return;
        _fd = -1;
        _ownedFd.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"BPF program '{Name}'";

    /// <summary>Called by the owning object when it closes its fds.</summary>
    internal void Invalidate() => _fd = -1;

    private ref readonly BpfProgInfo Info
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
        if (_owner is null || _owner.IsDisposed)
            throw new ObjectDisposedException(ToString());
        if (!_owner.IsLoaded)
            throw new InvalidOperationException($"{this} has no fd until its object {_owner.Path} is loaded.");
        int fd = Interop.Libbpf.bpf_program__fd(_libbpfProgram);
        if (fd < 0)
            Interop.Throw(fd, "bpf_program__fd", ToString());
        return _fd = fd;
    }

    private static BpfProgInfo QueryInfo(int fd)
    {
        BpfProgInfo info = default;
        uint length = (uint)sizeof(BpfProgInfo);
        int rc = Interop.Libbpf.bpf_obj_get_info_by_fd(fd, &info, &length);
        if (rc < 0)
            Interop.Throw(rc, "bpf_obj_get_info_by_fd", $"program fd {fd}");
        return info;
    }
}
