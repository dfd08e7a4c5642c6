using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microseg.Bpf;
using Tmds.Linux;

namespace Microseg.Flows.Records;

/// <summary>
/// Follows a flow log as it is written (<c>tail -F</c>): each <see cref="ReadLines"/> returns the
/// whole lines added since the last one, holding back a line still being written. It follows a
/// rotation by rename (the daemon's): when the path names another file, the open one is read to
/// its end first, then the new one from its start; a file truncated in place is read again from
/// its start. A file that does not exist yet is waited for. Lines of a file rotated twice between
/// two calls (a rotation every fraction of a second) would be missed: call it often.
/// </summary>
/// <remarks>
/// The file's bytes go through a <see cref="Pipe"/>: the file is its producer, the line splitter
/// its consumer, and a line whose end has not been written yet simply stays unconsumed in the
/// pipe until the next call. Not <c>PipeReader.Create(stream)</c>: that reader completes for good
/// at the first end of file, and following a file means reading past end of file again later.
/// </remarks>
public sealed class FlowLogFollower(string path) : IDisposable
{
    /// <summary>
    /// The bytes read from the file and not yet returned as lines. Fully synchronous: inline
    /// schedulers, and no writer pause (the same thread drains it after every read), so no
    /// flush ever waits.
    /// </summary>
    private readonly Pipe _pipe = new(new PipeOptions(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0,
        useSynchronizationContext: false));

    /// <summary>How much is asked of the file per read: the size the writer's FileStream buffers.</summary>
    private const int ReadSize = 64 * 1024;

    private FileStream? _file;

    // The identity (device, inode) of the open file, to tell when the path names another.
    private (ulong Device, ulong Inode) _identity;

    /// <summary>The followed path.</summary>
    public string Path { get; } = path;

    /// <summary>Rotations (or truncations) followed so far.</summary>
    public int Reopened { get; private set; }

    /// <summary>The whole lines written since the last call, oldest first (without their newline).</summary>
    public List<string> ReadLines()
    {
        var lines = new List<string>();
        if (_file is null && !TryOpen())
            return lines;
        ReadToEnd(lines);
        (ulong, ulong)? now = Identity(Path);
        if (now is { } identity && identity != _identity)
        {
            // Rotated: the writer finished the open file before renaming it; read what it added
            // since the read above, then go on with the new file.
            ReadToEnd(lines);
            DropPartialLine();
            _file!.Dispose();
            _file = null;
            Reopened++;
            if (TryOpen())
                ReadToEnd(lines);
        }
        else if (now is not null && _file!.Length < _file.Position)
        {
            // Truncated in place: start again.
            _file.Position = 0;
            DropPartialLine();
            Reopened++;
            ReadToEnd(lines);
        }
        return lines;
    }

    private bool TryOpen()
    {
        try
        {
            _file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        _identity = Identity(_file) ?? default;
        return true;
    }

    private void ReadToEnd(List<string> lines)
    {
        PipeWriter writer = _pipe.Writer;
        int read;
        while ((read = _file!.Read(writer.GetSpan(ReadSize))) > 0)
        {
            writer.Advance(read);
            // Completes synchronously: nothing pauses the writer (pauseWriterThreshold 0).
            _ = writer.FlushAsync();
            TakeLines(lines);
        }
    }

    /// <summary>Returns the complete lines in the pipe; an unfinished last line stays for the next read.</summary>
    private void TakeLines(List<string> lines)
    {
        if (!_pipe.Reader.TryRead(out ReadResult result))
            return;
        var reader = new SequenceReader<byte>(result.Buffer);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            lines.Add(Encoding.UTF8.GetString(line));
        // Consumed up to the last newline. Examined no further: an examined tail no longer counts
        // as readable, so TryRead (never ReadAsync here) would not hand the held line back.
        _pipe.Reader.AdvanceTo(reader.Position);
    }

    /// <summary>Drops an unfinished line (the file it was in is gone or started again).</summary>
    private void DropPartialLine()
    {
        if (_pipe.Reader.TryRead(out ReadResult result))
            _pipe.Reader.AdvanceTo(result.Buffer.End);
    }

    private static (ulong, ulong)? Identity(string path) =>
        FileStatus.Of(path, 0, LibC.STATX_INO, out statx status) == 0 ? (Device(status), status.stx_ino) : null;

    private static (ulong, ulong)? Identity(FileStream file) =>
        FileStatus.Of(file.SafeFileHandle, LibC.STATX_INO, out statx status) == 0 ? (Device(status), status.stx_ino) : null;

    private static ulong Device(in statx status) => ((ulong)status.stx_dev_major << 32) | status.stx_dev_minor;

    public void Dispose()
    {
        _file?.Dispose();
        _pipe.Writer.Complete();
        _pipe.Reader.Complete();
    }
}
