using System.Runtime.InteropServices;

namespace Microseg.Bpf;

internal static partial class Interop
{
    /// <summary>libc calls. Unless noted, -1 with errno on failure (hence SetLastError).</summary>
    internal static unsafe partial class Libc
    {
        internal const int O_RDONLY = 0;
        internal const int O_CLOEXEC = 0x80000;
        internal const int CLONE_NEWNET = 0x40000000;
        internal const int PROT_READ = 1;
        internal const int PROT_WRITE = 2;
        internal const int MAP_SHARED = 1;
        internal const int EPOLL_CLOEXEC = 0x80000;
        internal const int EPOLL_CTL_ADD = 1;
        internal const uint EPOLLIN = 1;

        /// <summary>Closes an fd. Never retried on EINTR: Linux has released the fd already.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int close(int fd);

        /// <summary>Opens a file; the fd or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int open(string path, int flags);

        /// <summary>Moves the calling thread into the namespace behind fd; 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
        internal static partial int setns(int fd, int nstype);

        /// <summary>The interface's index in the calling thread's namespace, or 0 (errno set).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial uint if_nametoindex(string name);

        /// <summary>Removes a file; 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int unlink(string path);

        /// <summary>Fills a struct statfs (120 bytes on 64-bit; f_type first); 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int statfs(string path, void* buffer);

        /// <summary>mount(2); 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mount(string source, string target, string fileSystemType, nuint flags, void* data);

        /// <summary>Maps fd's pages; MAP_FAILED (-1) on failure.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
        internal static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        /// <summary>Unmaps; 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "munmap", SetLastError = true)]
        internal static partial int munmap(nint address, nuint length);

        /// <summary>The page size (_SC_PAGESIZE = 30).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "sysconf")]
        internal static partial long sysconf(int name);

        /// <summary>A new epoll instance's fd, or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_create1", SetLastError = true)]
        internal static partial int epoll_create1(int flags);

        /// <summary>Registers fd with the epoll instance; 0 or -1. event points at a struct epoll_event.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
        internal static partial int epoll_ctl(int epollFd, int operation, int fd, void* epollEvent);

        /// <summary>Number of ready events (0 on timeout), or -1 (EINTR on a signal).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_wait", SetLastError = true)]
        internal static partial int epoll_wait(int epollFd, void* events, int maxEvents, int timeoutMs);

        /// <summary>Formats a va_list into buffer; returns the length the full text needs.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "vsnprintf")]
        internal static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);

        /// <summary>The effective user id; cannot fail.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "geteuid")]
        internal static partial uint geteuid();
    }
}
