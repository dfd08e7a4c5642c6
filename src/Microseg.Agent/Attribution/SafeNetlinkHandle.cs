using System.Runtime.InteropServices;

namespace Microseg.Agent.Attribution;

/// <summary>Owns a netlink socket's descriptor. Invalid is -1: 0 is a valid descriptor.</summary>
internal sealed class SafeNetlinkHandle : SafeHandle
{
    /// <summary>An invalid handle (the marshaller's constructor).</summary>
    public SafeNetlinkHandle()
        : base(-1, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public SafeNetlinkHandle(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle()
    {
        Interop.Libc.Close((int)handle);
        return true;
    }
}
