using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Microseg.Bpf;

/// <summary>
/// A file descriptor. Invalid is -1 because 0 is a valid fd (a daemon started with stdin
/// closed gets fd 0 for its first map). Either owns the fd (closes it on release) or borrows
/// it from its real owner (libbpf's bpf_object for its maps and programs), in which case
/// release only stops further use: the owner closes the fd, and invalidates this handle first.
/// </summary>
internal sealed class SafeFdHandle : SafeHandle
{
    /// <summary>Creates an invalid owning handle (the marshaller's constructor).</summary>
    public SafeFdHandle() : base(new nint(-1), ownsHandle: true) { }

    /// <summary>Takes ownership of <paramref name="fd"/>, or borrows it when <paramref name="ownsHandle"/> is false.</summary>
    public SafeFdHandle(int fd, bool ownsHandle = true) : base(new nint(-1), ownsHandle) => SetHandle(fd);

    /// <inheritdoc/>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // Never retried on EINTR: Linux frees the fd before it can report EINTR, so a
        // retry could close an fd another thread has just been given.
        LibC.close((int)handle);
        return true;
    }
}
