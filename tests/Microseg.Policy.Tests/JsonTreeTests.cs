using System.Text.Encodings.Web;
using System.Text.Json;
using Microseg.Cli;

namespace Microseg.Policy.Tests;

/// <summary>
/// microsegctl's reflection-free JSON writer (Native AOT) writes what JsonSerializer wrote for the
/// same documents before, so scripts reading `--format json` see no change.
/// </summary>
public sealed class JsonTreeTests
{
    private static Dictionary<string, object?> Document() => new()
    {
        ["valid"] = false,
        ["error"] = null,
        ["count"] = 3,
        ["total"] = 3_538_971L,
        ["port"] = (ushort)443,
        ["generation"] = 7u,
        ["exposure"] = 2.260544096009829E-06,
        ["firstSeen"] = new DateTime(2026, 12, 5, 7, 0, 1, DateTimeKind.Utc),
        ["message"] = "rule 'web' <html> & \"quotes\" é",
        ["labels"] = new Dictionary<string, string> { ["app"] = "shop" },
        ["addresses"] = new List<string> { "10.0.1.10", "fe80::1" },
        ["rows"] = Enumerable.Range(0, 2).Select(i => new Dictionary<string, object?> { ["n"] = i, ["empty"] = new List<int>() }),
    };

    [Fact]
    public void WritesWhatJsonSerializerWroteIndented()
    {
        var expected = JsonSerializer.Serialize(Document(), new JsonSerializerOptions { WriteIndented = true });

        Assert.Equal(expected, JsonTree.Write(Document()));
    }

    [Fact]
    public void HonoursTheEncoderTheExplainOutputUses()
    {
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        var expected = JsonSerializer.Serialize(Document(), new JsonSerializerOptions { WriteIndented = true, Encoder = encoder });

        Assert.Equal(expected, JsonTree.Write(Document(), encoder));
    }

    [Fact]
    public void AValueOfAnUnknownTypeIsRefusedByName()
    {
        var error = Assert.Throws<InvalidOperationException>(() => JsonTree.Write(new Dictionary<string, object?> { ["when"] = TimeSpan.Zero }));

        Assert.Contains("System.TimeSpan", error.Message);
    }
}
