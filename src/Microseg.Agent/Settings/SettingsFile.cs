using System.Globalization;
using Microseg.Bpf;
using Microseg.Policy.Loading;
using Microseg.Policy.Loading.Yaml;

namespace Microseg.Agent.Settings;

/// <summary>
/// Reads microsegd.yaml: a mapping of the keys below, each optional. Every mistake is one
/// sentence starting with FILE:LINE:COL, so it reads like the policy checker's errors: the file
/// is parsed by the policy loader's own parsers, with their limits (nesting, aliases), so no
/// text makes anything but a <see cref="SettingsException"/>.
/// </summary>
/// <example>
/// interfaces: [eth0, eth1]          # or "*" for every non-loopback interface
/// policy: /etc/microseg/policy.yaml
/// metricsAddress: 127.0.0.1:9469    # "none" for no metrics listener
/// flowLog: /var/log/microseg/flows.jsonl   # or "-" for standard output
/// flowLogMaxSize: 100MiB            # rotated past this; "none" never
/// flowLogKeep: 5                    # rotated files kept: flows.jsonl.1 … flows.jsonl.5
/// denyEventBudget: 200              # deny events per second from all sources; the rest summarised
/// denySummaryInterval: 10s          # how often the summaries are written
/// </example>
public static class SettingsFile
{
    /// <summary>The keys, in the order the documentation lists them.</summary>
    public static readonly string[] Keys =
    [
        "interfaces", "policy", "metricsAddress", "flowLog", "flowLogMaxSize", "flowLogKeep", "stateDirectory", "pinDirectory",
        "controlSocket", "bpfObjectDirectory", "xdpMode", "interfacePollInterval", "reloadDebounce",
        "denyEventBudget", "denySummaryInterval",
    ];

    /// <summary>Applies the file's settings on top of <paramref name="settings"/>.</summary>
    public static AgentSettings Apply(AgentSettings settings, string path, string text)
    {
        ParsedYaml parsed = ParsedYaml.Parse(text);
        if (parsed.Failure is { } e)
        {
            throw new SettingsException(e.DuplicateKey is { } repeated
                ? $"{path}:{e.Line}:{e.Column}: '{Quote.Short(repeated)}' is set twice; a setting may appear once"
                : $"{path}:{e.Line}:{e.Column}: {e.Message}{(e.Hint is null ? "" : $" ({e.Hint})")}");
        }
        if (parsed.Documents.Count == 0 || parsed.Documents[0] is { IsScalar: true, Value: "" })
            return settings;
        var root = parsed.Documents[0];
        if (!root.IsMapping)
            throw Error(path, root, "the settings file must be a mapping of setting names to values");
        if (parsed.Documents.Count > 1)
            throw Error(path, parsed.Documents[1], "the settings file holds one YAML document, but this is a second one");

        foreach (var (keyNode, value) in root.Entries)
        {
            if (!keyNode.IsScalar)
                throw Error(path, keyNode, $"a setting's name must be a single word, not {NodeReader.Describe(keyNode)}");
            var key = keyNode.Value;
            settings = key switch
            {
                "interfaces" => settings with { Interfaces = Interfaces(path, value) },
                "policy" => settings with { PolicyPath = Text(path, value, key) },
                "metricsAddress" => settings with { MetricsAddress = Optional(Text(path, value, key)) },
                "flowLog" => settings with { FlowLogPath = Optional(Text(path, value, key)) },
                "flowLogMaxSize" => settings with { FlowLogMaxBytes = Parse(path, value, key, ParseSize) },
                "flowLogKeep" => settings with { FlowLogKeep = Parse(path, value, key, ParseCount) },
                "stateDirectory" => settings with { StateDirectory = Text(path, value, key) },
                "pinDirectory" => settings with { PinDirectory = Text(path, value, key) },
                "controlSocket" => settings with { ControlSocketPath = Optional(Text(path, value, key)) },
                "bpfObjectDirectory" => settings with { BpfObjectDirectory = Text(path, value, key) },
                "xdpMode" => settings with { XdpMode = Parse(path, value, key, ParseXdpMode) },
                "interfacePollInterval" => settings with { InterfacePollInterval = Parse(path, value, key, ParseDuration) },
                "reloadDebounce" => settings with { ReloadDebounce = Parse(path, value, key, ParseDuration) },
                "denyEventBudget" => settings with { DenyEventBudget = Parse(path, value, key, ParseBudget) },
                "denySummaryInterval" => settings with { DenySummaryInterval = Parse(path, value, key, ParseDuration) },
                _ => throw Error(path, keyNode, $"unknown setting '{Quote.Short(key)}'; the settings are {string.Join(", ", Keys)}"),
            };
        }
        return settings;
    }

    /// <summary>"none", "off" or empty turn an optional listener or file off.</summary>
    public static string? Optional(string value) =>
        value is "" or "none" or "off" ? null : value;

    /// <summary>auto (native, falling back to generic), native or generic.</summary>
    public static XdpAttachMode? ParseXdpMode(string text) => text switch
    {
        "auto" => XdpAttachMode.NativeWithGenericFallback,
        "native" => XdpAttachMode.Native,
        "generic" => XdpAttachMode.Generic,
        _ => null,
    };

    /// <summary>
    /// A size in bytes, written as a whole number with an optional binary suffix (<c>K</c>/<c>KiB</c>,
    /// <c>M</c>/<c>MiB</c>, <c>G</c>/<c>GiB</c>): <c>100MiB</c>, <c>1048576</c>. <c>none</c>, <c>off</c> or 0 are 0
    /// (never rotate). Null when it is none of these.
    /// </summary>
    public static long? ParseSize(string text)
    {
        if (text is "none" or "off")
            return 0;
        (string number, int shift) = text switch
        {
            _ when text.EndsWith("KiB", StringComparison.Ordinal) => (text[..^3], 10),
            _ when text.EndsWith("MiB", StringComparison.Ordinal) => (text[..^3], 20),
            _ when text.EndsWith("GiB", StringComparison.Ordinal) => (text[..^3], 30),
            _ when text.EndsWith('K') => (text[..^1], 10),
            _ when text.EndsWith('M') => (text[..^1], 20),
            _ when text.EndsWith('G') => (text[..^1], 30),
            _ => (text, 0),
        };
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= long.MaxValue >> shift
            ? value << shift
            : null;
    }

    /// <summary>Events per second: a whole number from 1 to 1,000,000; null otherwise.</summary>
    public static uint? ParseBudget(string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 1_000_000 ? value : null;

    /// <summary>A whole number from 0 to 1000; null otherwise.</summary>
    public static int? ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 1000 ? value : null;

    /// <summary>A duration written 500ms, 5s or 1m; null when it is none of these or not positive.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ => ("", 0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromMilliseconds(value * scale)
            : null;
    }

    private static IReadOnlyList<InterfaceSpec> Interfaces(string path, SourceNode node)
    {
        if (node.IsMapping)
            throw Error(path, node, "'interfaces' must be a list of interface names, or \"*\"");
        var result = new List<InterfaceSpec>();
        foreach (var item in node.Items)
            result.Add(Interface(path, item));
        if (node.IsScalar)
            result.Add(Interface(path, node));
        if (result.Count == 0)
            throw Error(path, node, "'interfaces' is empty: name at least one interface, or \"*\" for all");
        return result;
    }

    private static InterfaceSpec Interface(string path, SourceNode item) =>
        InterfaceSpec.TryParse(Text(path, item, "interfaces"), out var problem) ?? throw Error(path, item, problem!);

    private static string Text(string path, SourceNode node, string key) =>
        node.IsScalar ? node.Value : throw Error(path, node, $"'{key}' must be a single value");

    private static T Parse<T>(string path, SourceNode node, string key, Func<string, T?> parse) where T : struct =>
        parse(Text(path, node, key)) ?? throw Error(path, node, key switch
        {
            "xdpMode" => $"'{key}' must be auto, native or generic",
            "flowLogMaxSize" => $"'{key}' must be a size such as 100MiB, 512KiB or 1048576 (bytes), or none",
            "flowLogKeep" => $"'{key}' must be a whole number of files from 0 to 1000",
            "denyEventBudget" => $"'{key}' must be a whole number of events per second from 1 to 1000000",
            _ => $"'{key}' must be a positive duration such as 500ms, 5s or 1m",
        });

    private static SettingsException Error(string path, SourceNode node, string message) =>
        new($"{path}:{node.Line}:{node.Column}: {message}");
}
