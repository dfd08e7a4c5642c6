using System.Runtime.InteropServices;

namespace Microseg.Bpf;

internal static partial class Interop
{
    /// <summary>
    /// The only libc functions bound here: those Tmds.LibC 0.5.0 (<c>Tmds.Linux.LibC</c>, used for
    /// every other libc call) does not declare. Checked against the package: it has statx, mount,
    /// syscall, sockets, epoll, mmap, setns, sched_*affinity, but not these. Unless noted, -1 with
    /// errno on failure (hence SetLastError; read it through <see cref="LastErrno"/>).
    /// </summary>
    internal static unsafe partial class LibcExtra
    {
        /// <summary>getrlimit/setrlimit resource: locked memory (counts BPF maps on kernels before 5.11).</summary>
        internal const int RLIMIT_MEMLOCK = 8;

        /// <summary>The interface's index in the calling thread's namespace, or 0 (errno set).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial uint if_nametoindex(string name);

        /// <summary>
        /// Fills a struct statfs (120 bytes on 64-bit; f_type first); 0 or -1. Tmds.LibC has only
        /// statvfs, which has no f_type, and f_type is how bpffs is recognised.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int statfs(string path, void* buffer);

        /// <summary>Formats a va_list into buffer; returns the length the full text needs (libbpf's log callback).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "vsnprintf")]
        internal static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);

        /// <summary>Sets a resource limit; 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "setrlimit", SetLastError = true)]
        internal static partial int setrlimit(int resource, in RLimit limit);

        /// <summary>Reads a resource limit; 0 or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
        internal static partial int getrlimit(int resource, out RLimit limit);

        /// <summary>
        /// Looks a group up by name (files, LDAP, whatever NSS says). Returns 0 or an errno (it
        /// does not set errno); on 0, <paramref name="result"/> is null when there is no such
        /// group and points to <paramref name="group"/> when there is.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int getgrnam_r(string name, Group* group, byte* buffer, nuint bufferLength, Group** result);

        /// <summary>Mirrors <c>struct rlimit</c> (64-bit rlim_t); RLIM_INFINITY is all ones.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct RLimit
        {
            public ulong Current;
            public ulong Maximum;
        }

        /// <summary>
        /// Mirrors <c>struct group</c> (grp.h). Only <see cref="Gid"/> is read; the pointers point
        /// into the buffer passed to getgrnam_r.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Group
        {
            public nint Name;
            public nint Password;
            public uint Gid;
            public nint Members;
        }
    }
}
