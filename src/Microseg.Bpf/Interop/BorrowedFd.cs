using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// A SafeHandle's fd lent for the duration of one native call: Tmds.LibC and the fields of
/// libbpf's option structs take an int, so the handle is add-ref'ed while the int is in use
/// (a concurrent Dispose cannot close it, nor can the number be reused under the call) and
/// released at the end of the <c>using</c>. Never keep <see cref="Fd"/> beyond that.
/// </summary>
internal readonly ref struct BorrowedFd
{
    private readonly SafeHandle _handle;

    /// <summary>The fd, valid until <see cref="Dispose"/>.</summary>
    public readonly int Fd;

    internal BorrowedFd(SafeHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added); // throws ObjectDisposedException once closed
        _handle = handle;
        Fd = (int)handle.DangerousGetHandle();
    }

    /// <summary>Gives the reference back.</summary>
    public void Dispose() => _handle.DangerousRelease();
}

/// <summary>Borrowing any SafeHandle's fd (ours, a FileStream's, a Socket's) for one call.</summary>
internal static class SafeHandleFd
{
    /// <summary>Add-refs <paramref name="handle"/> and lends its fd until the result is disposed.</summary>
    public static BorrowedFd Borrow(this SafeHandle handle) => new(handle);
}
