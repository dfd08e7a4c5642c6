using System.Text.Json;
using Microseg.Flows.Records;

namespace Microseg.Agent.Events;

/// <summary>
/// Appends flow records to a file as JSON lines in the flow file format (docs/flows.md,
/// <see cref="FlowRecordJson"/>), so <c>microsegctl … --flows FILE</c> reads it as it is. Used
/// from the event thread only.
/// </summary>
public sealed class FlowLogWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;

    public FlowLogWriter(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
            Directory.CreateDirectory(directory);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
        _json = new Utf8JsonWriter(_file);
    }

    public void Write(in FlowRecord record)
    {
        _json.Reset(_file);
        FlowRecordJson.Write(_json, in record);
        _json.Flush();
        _file.WriteByte((byte)'\n');
    }

    public void Flush() => _file.Flush();

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}
