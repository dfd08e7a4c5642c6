using System.Text;
using System.Text.Json;

namespace Microseg.Flows.Records;

/// <summary>A flow file: JSON lines, one <see cref="FlowRecord"/> per line (docs/flows.md).</summary>
public static class FlowLog
{
    /// <summary>Largest flow file read whole (the daemon's log rotates well below it).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Reads every record; blank lines and lines starting with '#' are skipped. Throws <see cref="FlowDataException"/>.</summary>
    public static List<FlowRecord> Read(string path)
    {
        var records = new List<FlowRecord>();
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path))
            {
                throw new FlowDataException($"cannot read flows from {path}: it is a directory");
            }

            if (!info.Exists)
            {
                throw new FlowDataException($"cannot read flows from {path}: no such file");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new FlowDataException($"cannot read flows from {path}: it is larger than {MaxFileBytes >> 20} MiB");
            }

            Parse(File.ReadLines(path, Encoding.UTF8), path, records);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlowDataException($"cannot read flows from {path}: {FirstSentence(e.Message)}", e);
        }

        return records;
    }

    /// <summary>The records of a flow file's text (such as the daemon's answer); <paramref name="source"/> names it in errors. Throws <see cref="FlowDataException"/>.</summary>
    public static List<FlowRecord> Parse(string text, string source)
    {
        var records = new List<FlowRecord>();
        Parse(text.Split('\n'), source, records);
        return records;
    }

    private static void Parse(IEnumerable<string> lines, string source, List<FlowRecord> records)
    {
        int number = 0;
        foreach (string line in lines)
        {
            number++;
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            try
            {
                records.Add(FlowRecordJson.Parse(trimmed));
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                throw new FlowDataException($"{source}:{number}: not a flow record: {FirstSentence(e.Message)}", e);
            }
        }
    }

    /// <summary>Writes <paramref name="records"/> as JSON lines (atomically: see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, IEnumerable<FlowRecord> records)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream);
            foreach (FlowRecord record in records)
            {
                FlowRecordJson.Write(writer, record);
                writer.Flush();
                writer.Reset();
                stream.WriteByte((byte)'\n');
            }
        });
    }

    private static string FirstSentence(string message)
    {
        string line = message.Split('\n')[0].Trim();
        int cut = line.IndexOf(". ", StringComparison.Ordinal);
        return (cut > 0 ? line[..cut] : line).TrimEnd('.');
    }
}
