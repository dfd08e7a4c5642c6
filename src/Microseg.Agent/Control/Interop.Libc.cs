using System.Runtime.InteropServices;

namespace Microseg.Agent.Control;

/// <summary>The few libc calls the control socket needs that .NET does not offer.</summary>
internal static partial class Interop
{
    internal static partial class Libc
    {
        private const string Library = "libc";

        /// <summary>statx's "relative to the working directory" descriptor.</summary>
        internal const int AtFdCwd = -100;

        /// <summary>statx flag: describe a symbolic link itself, not its target (as lstat).</summary>
        internal const int AtSymlinkNoFollow = 0x100;

        /// <summary>statx mask: the basic fields, mode, owner and group among them.</summary>
        internal const uint StatxBasicStats = 0x7ff;

        /// <summary>The file type bits of a mode, and the type of a socket.</summary>
        internal const uint FileTypeMask = 0xF000, FileTypeSocket = 0xC000;

        /// <summary>"No such file or directory".</summary>
        internal const int ENOENT = 2;

        /// <summary>getgrnam_r: the buffer is too small for the group's members.</summary>
        internal const int ERANGE = 34;

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

        /// <summary>
        /// Mirrors the start of <c>struct statx</c> (linux/stat.h), whose layout is the same on
        /// every architecture: 256 bytes, of which these are the first 32.
        /// </summary>
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        internal struct Statx
        {
            public uint Mask;
            public uint BlockSize;
            public ulong Attributes;
            public uint Links;
            public uint Uid;
            public uint Gid;
            public ushort Mode;
        }

        /// <summary>Describes the file at <paramref name="path"/>; 0 on success, -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int StatxPath(int directory, string path, int flags, uint mask, out Statx result);

        /// <summary>Sets the permission bits of <paramref name="path"/>; 0, or -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Chmod(string path, uint mode);

        /// <summary>Changes the owner and group of <paramref name="path"/> (uint.MaxValue leaves one as it is); 0, or -1 with errno set.</summary>
        [LibraryImport(Library, EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Chown(string path, uint owner, uint group);

        /// <summary>
        /// Looks a group up by name (files, LDAP, whatever NSS says). Returns 0 or an errno; on 0,
        /// <paramref name="result"/> is zero when there is no such group and points to
        /// <paramref name="group"/> when there is.
        /// </summary>
        [LibraryImport(Library, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int GetGroupByName(string name, Group* group, byte* buffer, nuint bufferLength, Group** result);
    }
}
