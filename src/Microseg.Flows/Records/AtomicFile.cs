using Microseg.Bpf;
using Tmds.Linux;

namespace Microseg.Flows.Records;

/// <summary>
/// Replaces a file so that a reader (or a crash) sees the old content or the new, never a mix:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync the
/// directory so the rename itself survives a power cut.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes the file through <paramref name="fill"/>; on any failure the target is untouched and the temporary file removed.</summary>
    public static void Write(string path, Action<Stream> fill)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                fill(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        SyncDirectory(directory);
    }

    // Best effort: a file system that cannot fsync a directory still got the rename.
    // .NET cannot open a directory as a file, so open(2) it; the fd lives in a SafeFdHandle.
    private static unsafe void SyncDirectory(string directory)
    {
        int fd;
        fixed (byte* path = Interop.Utf8z(directory))
            fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        using var handle = new SafeFdHandle(fd);
        if (handle.IsInvalid)
            return;
        using BorrowedFd borrowed = handle.Borrow();
        _ = LibC.fsync(borrowed.Fd);
    }
}
