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
public sealed class FlowLogFollower(string path) : IDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    // The bytes of a line whose end has not been read yet.
    private readonly MemoryStream _partial = new();

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
            _partial.SetLength(0);
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
            _partial.SetLength(0);
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
        int read;
        while ((read = _file!.Read(_buffer)) > 0)
        {
            ReadOnlySpan<byte> data = _buffer.AsSpan(0, read);
            int newline;
            while ((newline = data.IndexOf((byte)'\n')) >= 0)
            {
                _partial.Write(data[..newline]);
                lines.Add(Encoding.UTF8.GetString(_partial.GetBuffer(), 0, (int)_partial.Length));
                _partial.SetLength(0);
                data = data[(newline + 1)..];
            }
            _partial.Write(data);
        }
    }

    private static (ulong, ulong)? Identity(string path) =>
        FileStatus.Of(path, 0, LibC.STATX_INO, out statx status) == 0 ? (Device(status), status.stx_ino) : null;

    private static (ulong, ulong)? Identity(FileStream file) =>
        FileStatus.Of(file.SafeFileHandle, LibC.STATX_INO, out statx status) == 0 ? (Device(status), status.stx_ino) : null;

    private static ulong Device(in statx status) => ((ulong)status.stx_dev_major << 32) | status.stx_dev_minor;

    public void Dispose()
    {
        _file?.Dispose();
        _partial.Dispose();
    }
}
