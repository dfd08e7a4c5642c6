using System.Buffers;
using System.Text.Json;
using Microseg.Flows.Records;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Events;

/// <summary>
/// Appends flow records as JSON lines in the flow file format (docs/flows.md,
/// <see cref="FlowRecordJson"/>), so <c>microsegctl … --flows FILE</c> reads it as it is; to a
/// file rotated by size, or to standard output (<see cref="StandardOutput"/>). Not thread-safe:
/// its owner serialises writes.
/// </summary>
/// <remarks>
/// Rotation is by rename, between whole lines: when the next line would take the file past
/// <see cref="MaxBytes"/>, the file is flushed and closed, <c>PATH.N-1</c> … <c>PATH.1</c> are
/// renamed one up (the oldest, <c>PATH.N</c>, is deleted first), <c>PATH</c> becomes
/// <c>PATH.1</c>, and a new <c>PATH</c> is started. A record is never split across files and
/// none is lost but with the oldest file; a reader following <c>PATH</c> finishes the file it has
/// open (now <c>PATH.1</c>) and then opens the new one (<c>microsegctl flows --follow</c> does).
/// <para>
/// Written straight to a buffered FileStream, not through a PipeWriter: writes are synchronous
/// under the flow store's lock, a line must be measured before it is written (to rotate between
/// whole lines), and the FileStream's 64 KiB buffer already batches the writes. A PipeWriter
/// over the same stream would add an async flush per batch, waited on synchronously on the
/// event thread, and remove no code. The reading side (<see cref="FlowLogFollower"/>) is where a
/// pipe pays: it holds an unfinished line between reads.
/// </para>
/// </remarks>
public sealed class FlowLogWriter : IDisposable
{
    /// <summary>The path that means standard output (never rotated).</summary>
    public const string StandardOutput = "-";

    /// <summary>
    /// The default size a log file is rotated at: about 170,000 records (~600 bytes each), hours of a
    /// busy host's new flows, and small enough that the flow commands read one whole.
    /// </summary>
    public const long DefaultMaxBytes = 100L << 20;

    /// <summary>The default number of rotated files kept (PATH.1 … PATH.5): with the live one, at most 600 MiB.</summary>
    public const int DefaultKeep = 5;

    private readonly string? _path;
    private readonly ILogger? _logger;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;
    private Stream _stream;

    // Bytes in the current file (its length when opened for append, plus what was written since).
    private long _size;

    // The size at which rotating is tried next: MaxBytes, or further on after a failed rotation.
    private long _rotateAt;

    /// <param name="path">The log file, or <see cref="StandardOutput"/>.</param>
    /// <param name="maxBytes">Size a file is rotated at; 0 never rotates.</param>
    /// <param name="keep">Rotated files kept (PATH.1 … PATH.keep); 0 keeps none (a full file is started afresh).</param>
    /// <param name="logger">Where a failed rotation is told (writing goes on in the same file).</param>
    public FlowLogWriter(string path, long maxBytes = DefaultMaxBytes, int keep = DefaultKeep, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        _logger = logger;
        if (path == StandardOutput)
        {
            _stream = Console.OpenStandardOutput();
            MaxBytes = 0;
        }
        else
        {
            _path = Path.GetFullPath(path);
            if (Path.GetDirectoryName(_path) is { } directory)
                Directory.CreateDirectory(directory);
            _stream = Open(_path);
            _size = _stream.Length;
            MaxBytes = maxBytes;
        }
        Keep = keep;
        _rotateAt = MaxBytes;
        _json = new Utf8JsonWriter(_line);
    }

    /// <summary>Size a file is rotated at (0: never).</summary>
    public long MaxBytes { get; }

    /// <summary>Rotated files kept.</summary>
    public int Keep { get; }

    /// <summary>Rotations done since start.</summary>
    public int Rotations { get; private set; }

    /// <summary>Writes one record as one line, rotating first when the line would not fit.</summary>
    public void Write(in FlowRecord record)
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
        FlowRecordJson.Write(_json, in record);
        _json.Flush();
        _line.GetSpan(1)[0] = (byte)'\n';
        _line.Advance(1);
        if (MaxBytes > 0 && _size > 0 && _size + _line.WrittenCount > _rotateAt)
            Rotate();
        _stream.Write(_line.WrittenSpan);
        _size += _line.WrittenCount;
    }

    /// <summary>Hands what is buffered to the file (after a batch of records).</summary>
    public void Flush() => _stream.Flush();

    private void Rotate()
    {
        string path = _path!;
        _stream.Flush();
        _stream.Dispose();
        try
        {
            if (Keep == 0)
            {
                File.Delete(path);
            }
            else
            {
                File.Delete(Rotated(path, Keep));
                for (int i = Keep - 1; i >= 1; i--)
                {
                    if (File.Exists(Rotated(path, i)))
                        File.Move(Rotated(path, i), Rotated(path, i + 1));
                }
                File.Move(path, Rotated(path, 1));
            }
            Rotations++;
            _rotateAt = MaxBytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Go on in the file as it is (nothing is lost) and try again after another MaxBytes.
            _logger?.LogError("Rotating the flow log {Path} failed: {Error}; writing on to it.", path, e.Message);
            _rotateAt = _size + MaxBytes;
        }
        _stream = Open(path);
        _size = _stream.Length;
    }

    /// <summary>The name of the <paramref name="n"/>th rotated file: PATH.n (1 the newest).</summary>
    public static string Rotated(string path, int n) => $"{path}.{n}";

    // Shared for reading: microsegctl follows the file while it is written.
    private static FileStream Open(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);

    public void Dispose()
    {
        _json.Dispose();
        if (_path is null)
            _stream.Flush();
        else
            _stream.Dispose();
    }
}
