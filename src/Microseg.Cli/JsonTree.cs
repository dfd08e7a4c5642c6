using System.Buffers;
using System.Collections;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Microseg.Cli;

/// <summary>
/// Writes the CLI's JSON documents (dictionaries, lists and scalars) without reflection, so
/// microsegctl stays trim- and Native-AOT-safe; the output matches what
/// <c>JsonSerializer</c> wrote for the same values, indented.
/// </summary>
internal static class JsonTree
{
    /// <summary>The document, indented; a value of a type it does not know is a bug here, so it throws naming the type.</summary>
    public static string Write(object? document, JavaScriptEncoder? encoder = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = encoder }))
            WriteValue(writer, document);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case uint u: writer.WriteNumberValue(u); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case ushort u: writer.WriteNumberValue(u); break;
            case byte b: writer.WriteNumberValue(b); break;
            case double d: writer.WriteNumberValue(d); break;
            case DateTime t: writer.WriteStringValue(t); break;
            case DateTimeOffset t: writer.WriteStringValue(t); break;
            case IEnumerable<KeyValuePair<string, object?>> entries:
                writer.WriteStartObject();
                foreach (var (key, item) in entries)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, string>> labels:
                writer.WriteStartObject();
                foreach (var (key, text) in labels)
                    writer.WriteString(key, text);
                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                    WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"JsonTree cannot write a {value.GetType()}: add it to JsonTree.WriteValue.");
        }
    }
}
