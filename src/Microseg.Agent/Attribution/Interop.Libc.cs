using System.Runtime.InteropServices;

namespace Microseg.Agent.Attribution;

/// <summary>The libc calls local-unit attribution needs: a netlink socket for sock_diag, and statx for cgroup ids.</summary>
internal static partial class Interop
{
    internal static partial class Libc
    {
        private const string Library = "libc";

        /// <summary>Address family of netlink sockets.</summary>
        internal const int AF_NETLINK = 16;

        /// <summary>socket(2) type: raw datagrams, closed on exec.</summary>
        internal const int SOCK_RAW_CLOEXEC = 3 | 0x80000;

        /// <summary>The netlink protocol of socket diagnostics (linux/netlink.h).</summary>
        internal const int NETLINK_SOCK_DIAG = 4;

        /// <summary>setsockopt(2) level and options (asm-generic/socket.h, x86-64 and arm64 alike).</summary>
        internal const int SOL_SOCKET = 1, SO_RCVTIMEO = 20, SO_RCVBUF = 8;

        /// <summary>statx(2): the path is empty and the descriptor itself is described.</summary>
        internal const int AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100;

        /// <summary>statx's "relative to the working directory" descriptor.</summary>
        internal const int AT_FDCWD = -100;

        /// <summary>statx mask: the inode number.</summary>
        internal const uint STATX_INO = 0x100;

        /// <summary>errno: interrupted; would block (the receive timeout expired); no such entry.</summary>
        internal const int EINTR = 4, EAGAIN = 11, ENOENT = 2;

        /// <summary>Mirrors <c>struct timeval</c> on 64-bit Linux.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct TimeVal
        {
            public long Seconds;
            public long Microseconds;
        }

        /// <summary>
        /// Mirrors <c>struct statx</c> (linux/stat.h), the same on every architecture: 256 bytes,
        /// of which only <see cref="Inode"/> (at offset 32) is read.
        /// </summary>
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        internal struct Statx
        {
            [FieldOffset(0)] public uint Mask;
            [FieldOffset(32)] public ulong Inode;
        }

        /// <summary>socket(2): a new descriptor, or -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
        internal static partial int Socket(int domain, int type, int protocol);

        /// <summary>send(2) on a netlink socket (unconnected: to the kernel); bytes sent, or -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "send", SetLastError = true)]
        internal static unsafe partial nint Send(SafeNetlinkHandle socket, byte* buffer, nuint length, int flags);

        /// <summary>recv(2): bytes received (a whole netlink datagram), or -1 with errno set (EAGAIN on timeout).</summary>
        [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
        internal static unsafe partial nint Receive(SafeNetlinkHandle socket, byte* buffer, nuint length, int flags);

        /// <summary>setsockopt(2): 0, or -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
        internal static unsafe partial int SetSocketOption(SafeNetlinkHandle socket, int level, int name, void* value, uint length);

        /// <summary>Describes the file at <paramref name="path"/>; 0, or -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int StatxPath(int directory, string path, int flags, uint mask, out Statx result);

        /// <summary>close(2). Never retried on EINTR: Linux has released the descriptor already.</summary>
        [LibraryImport(Library, EntryPoint = "close")]
        internal static partial int Close(int fd);
    }
}
