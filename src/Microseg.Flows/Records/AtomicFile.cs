using System.Runtime.InteropServices;

namespace Microseg.Flows.Records;

/// <summary>
/// Replaces a file so that a reader (or a crash) sees the old content or the new, never a mix:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync the
/// directory so the rename itself survives a power cut.
/// </summary>
public static partial class AtomicFile
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
    private static void SyncDirectory(string directory)
    {
        int fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            return;
        }

        _ = Fsync(fd);
        _ = Close(fd);
    }

    // O_RDONLY | O_CLOEXEC: the same values on every Linux architecture (O_DIRECTORY is not,
    // and is not needed: the path was just used as a directory).
    private const int ReadOnlyDirectory = 0x80000;

    /// <summary>open(2): a file descriptor, or -1 with errno set.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>fsync(2): 0, or -1 with errno set.</summary>
    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    /// <summary>close(2): never retried on EINTR.</summary>
    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
