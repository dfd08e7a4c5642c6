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

    /// <summary>
    /// The fd: owned (opened from a pin or an id; dispose closes it), or, for an object's map
    /// or program, a non-owning handle on libbpf's fd made when first needed and invalidated
    /// when the object closes its fds. Null until then.
    /// </summary>
    private SafeFdHandle? _handle;

    private protected BpfKernelObject(BpfObject owner, nint libbpfHandle, string name)
    {
        Owner = owner;
        LibbpfHandle = libbpfHandle;
        Name = name;
    }

    private protected BpfKernelObject(SafeFdHandle fd, string name)
    {
        _handle = fd;
        Name = name;
    }

    /// <summary>"map" or "program", for messages.</summary>
    private protected abstract string Kind { get; }

    /// <summary>The C name (or the kernel's 15-character name for opened ones).</summary>
    public string Name { get; }

    /// <summary>
    /// The fd, as the handle every native call takes. Throws before the owning object is loaded
    /// (InvalidOperationException) or after disposal (ObjectDisposedException).
    /// </summary>
    internal SafeFdHandle Handle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            SafeFdHandle? handle = _handle;
            return handle is not null && !handle.IsClosed ? handle : ResolveHandle();
        }
    }

    /// <summary>Pins it at a path on bpffs (bpf_obj_pin).</summary>
    public void Pin(string path) => BpfPin.Pin(Handle, path, $"{Kind} '{Name}'");

    /// <summary>Closes the fd if this instance owns it; object maps and programs are closed by their object.</summary>
    public void Dispose()
    {
        if (Owner is not null)
            return;
        _handle?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"BPF {Kind} '{Name}'";

    /// <summary>Called by the owning object when it closes its fds.</summary>
    /// <remarks>Closing the non-owning handle waits for no one but makes every later call throw
    /// ObjectDisposedException instead of using a number the kernel may hand out again.</remarks>
    internal void Invalidate() => _handle?.Dispose();

    /// <summary>libbpf's fd for the object's map or program (bpf_map__fd, bpf_program__fd).</summary>
    private protected abstract int LibbpfFd(out string call);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SafeFdHandle ResolveHandle()
    {
        if (Owner is null || Owner.IsDisposed || (_handle?.IsClosed ?? false))
            throw new ObjectDisposedException(ToString());
        if (!Owner.IsLoaded)
            throw new InvalidOperationException($"{this} has no fd until its object {Owner.Path} is loaded.");
        int fd = LibbpfFd(out var call);
        if (fd < 0)
            Interop.Throw(fd, call, ToString());
        // Borrowed: libbpf's bpf_object owns the fd and closes it in bpf_object__close.
        var handle = new SafeFdHandle(fd, ownsHandle: false);
        return Interlocked.CompareExchange(ref _handle, handle, null) ?? handle;
    }

    /// <summary>The kernel's bpf_map_info or bpf_prog_info for an fd (bpf_obj_get_info_by_fd).</summary>
    private protected static TInfo QueryInfo<TInfo>(SafeFdHandle fd, string kind) where TInfo : unmanaged
    {
        TInfo info = default;
        uint length = (uint)sizeof(TInfo);
        int rc = Interop.Libbpf.bpf_obj_get_info_by_fd(fd, &info, &length);
        if (rc < 0)
            Interop.Throw(rc, "bpf_obj_get_info_by_fd", $"{kind} fd {fd.DangerousGetHandle()}");
        return info;
    }
}
