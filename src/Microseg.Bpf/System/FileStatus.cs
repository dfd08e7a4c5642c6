using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Microseg.Bpf;

/// <summary>
/// statx(2) through Tmds.LibC for the parts that need more than .NET's File APIs give: the
/// inode and device of a path or an open file (cgroup ids, log rotation), and the mode of a
/// socket file without following links. Each returns 0, or the errno, so callers decide which
/// errors mean "not there".
/// </summary>
internal static unsafe class FileStatus
{
    /// <summary>Describes what is at <paramref name="path"/>; <paramref name="flags"/> AT_SYMLINK_NOFOLLOW describes a link itself.</summary>
    public static int Of(string path, int flags, uint mask, out statx status)
    {
        int rc;
        fixed (byte* pathBytes = Interop.Utf8z(path))
        fixed (statx* result = &status)
            rc = LibC.statx(LibC.AT_FDCWD, pathBytes, flags, mask, result);
        return rc == 0 ? 0 : Interop.LastErrno;
    }

    /// <summary>Describes the open file behind <paramref name="file"/> (AT_EMPTY_PATH).</summary>
    public static int Of(SafeHandle file, uint mask, out statx status)
    {
        int rc;
        fixed (statx* result = &status)
        using (BorrowedFd fd = file.Borrow())
        {
            byte empty = 0;
            rc = LibC.statx(fd.Fd, &empty, LibC.AT_EMPTY_PATH, mask, result);
        }
        return rc == 0 ? 0 : Interop.LastErrno;
    }
}
