using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// Owns a file descriptor. Invalid is -1 because 0 is a valid fd (a daemon started
/// with stdin closed gets fd 0 for its first map).
/// </summary>
internal sealed class SafeFdHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (the marshaller's constructor).</summary>
    public SafeFdHandle() : base(new nint(-1), ownsHandle: true) { }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public SafeFdHandle(int fd) : base(new nint(-1), ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc/>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw fd, or -1 once closed.</summary>
    public int Fd => IsClosed ? -1 : (int)handle;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // Never retried on EINTR: Linux frees the fd before it can report EINTR, so a
        // retry could close an fd another thread has just been given.
        Interop.Libc.close((int)handle);
        return true;
    }
}
