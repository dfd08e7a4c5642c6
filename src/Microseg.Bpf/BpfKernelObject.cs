using System.Runtime.CompilerServices;

namespace Microseg.Bpf;

/// <summary>
/// What maps and programs share: an fd that either a loaded <see cref="BpfObject"/> owns
/// (disposing this does nothing; the object closes it) or this instance owns (opened from a
/// pin or an id; dispose closes it).
/// </summary>
public abstract unsafe class BpfKernelObject : IDisposable
{
    /// <summary>The owning object for object maps and programs; null for fd-owning ones.</summary>
    private protected readonly BpfObject? Owner;

    /// <summary>libbpf's <c>struct bpf_map*</c> or <c>struct bpf_program*</c>; 0 for fd-owning ones.</summary>
    private protected readonly nint LibbpfHandle;

    /// <summary>The fd this instance owns; null for object maps and programs.</summary>
    private readonly SafeFdHandle? _ownedFd;

    /// <summary>Cached fd; -1 until known (object not loaded) and again once closed.</summary>
    private int _fd = -1;

    private protected BpfKernelObject(BpfObject owner, nint libbpfHandle, string name)
    {
        Owner = owner;
        LibbpfHandle = libbpfHandle;
        Name = name;
    }

    private protected BpfKernelObject(SafeFdHandle fd, string name)
    {
        _ownedFd = fd;
        _fd = fd.Fd;
        Name = name;
    }

    /// <summary>"map" or "program", for messages.</summary>
    private protected abstract string Kind { get; }

    /// <summary>The C name (or the kernel's 15-character name for opened ones).</summary>
    public string Name { get; }

    /// <summary>The fd. Throws before the owning object is loaded or after disposal.</summary>
    public int Fd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int fd = _fd;
            return fd >= 0 ? fd : ResolveFd();
        }
    }

    /// <summary>Pins it at a path on bpffs (bpf_obj_pin).</summary>
    public void Pin(string path) => BpfPin.Pin(Fd, path, $"{Kind} '{Name}'");

    /// <summary>Closes the fd if this instance owns it; object maps and programs are closed by their object.</summary>
    public void Dispose()
    {
        if (_ownedFd is null)
            return;
        _fd = -1;
        _ownedFd.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"BPF {Kind} '{Name}'";

    /// <summary>Called by the owning object when it closes its fds.</summary>
    internal void Invalidate() => _fd = -1;

    /// <summary>libbpf's fd for the object's map or program (bpf_map__fd, bpf_program__fd).</summary>
    private protected abstract int LibbpfFd(out string call);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ResolveFd()
    {
        if (Owner is null || Owner.IsDisposed || (_ownedFd?.IsClosed ?? false))
            throw new ObjectDisposedException(ToString());
        if (!Owner.IsLoaded)
            throw new InvalidOperationException($"{this} has no fd until its object {Owner.Path} is loaded.");
        int fd = LibbpfFd(out var call);
        if (fd < 0)
            Interop.Throw(fd, call, ToString());
        return _fd = fd;
    }

    /// <summary>The kernel's bpf_map_info or bpf_prog_info for an fd (bpf_obj_get_info_by_fd).</summary>
    private protected static TInfo QueryInfo<TInfo>(int fd, string kind) where TInfo : unmanaged
    {
        TInfo info = default;
        uint length = (uint)sizeof(TInfo);
        int rc = Interop.Libbpf.bpf_obj_get_info_by_fd(fd, &info, &length);
        if (rc < 0)
            Interop.Throw(rc, "bpf_obj_get_info_by_fd", $"{kind} fd {fd}");
        return info;
    }
}
