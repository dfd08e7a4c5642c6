using System.Text;
using System.Text.Json;
using Microseg.Datapath.Abi;
using Microseg.Flows.Export;
using Microseg.Flows.Records;

namespace Microseg.Flows.Discovery;

/// <summary>
/// The dependency map for people and tools: a table, JSON (the graph file's format), Graphviz DOT
/// and Mermaid. The pictures draw one arrow per (from, to) pair listing its services; a flow
/// between two endpoints of this host is seen twice (egress at one, ingress at the other), so a
/// service's count in a picture is the larger of the two sightings, not their sum.
/// </summary>
public static class DiscoveryExport
{
    public static readonly IReadOnlyList<string> TableHeader =
        ["FROM", "TO", "SERVICE", "SEEN AT", "LOCAL UNIT", "FLOWS", "ALLOWED", "DENIED", "WOULD DENY", "FIRST SEEN", "LAST SEEN"];

    /// <summary>
    /// One row per edge, busiest first; "SEEN AT" is the local identity and direction the flows were
    /// judged at, "LOCAL UNIT" the systemd units of the local sockets ("-" when none was named).
    /// </summary>
    public static IEnumerable<IReadOnlyList<string>> TableRows(DiscoveryGraph graph) =>
        graph.Edges
            .OrderByDescending(e => e.Flows).ThenBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
            .ThenBy(e => e.Key.Protocol).ThenBy(e => e.Key.Port).ThenBy(e => e.Key.Direction)
            .Select(e => (IReadOnlyList<string>)
            [
                e.Key.From, e.Key.To, e.Key.Service, $"{e.Key.Local} {e.Key.Direction.Name()}",
                Units(e.LocalUnits, "-"), N(e.Flows), N(e.Allowed), N(e.Denied), N(e.WouldDeny), TextTable.Time(e.FirstSeen), TextTable.Time(e.LastSeen),
            ]);

    public static string Table(DiscoveryGraph graph)
    {
        string text = TextTable.Render(TableHeader, TableRows(graph));
        return graph.EvictedEdges > 0 ? text + $"({graph.EvictedEdges} least recently seen edges were evicted to stay within {graph.Options.MaxEdges} edges)\n" : text;
    }

    /// <summary>The graph file's JSON (indented).</summary>
    public static string Json(DiscoveryGraph graph)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            DiscoveryGraphFile.Write(graph, writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// A Graphviz digraph: red arrows carry denied flows, orange would-deny ones, black only allowed.
    /// A node's label lists under its name the local units seen serving or opening its flows.
    /// </summary>
    public static string Dot(DiscoveryGraph graph)
    {
        var text = new StringBuilder("digraph microseg {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
        foreach (DiscoveryNode node in graph.Nodes)
        {
            string shape = node.Name.StartsWith("world", StringComparison.Ordinal) ? ", shape=ellipse" : "";
            text.Append($"  {DotQuote(node.Name)} [label={DotQuote(Label(node, "\n"))}{shape}];\n");
        }

        foreach (Arrow arrow in Arrows(graph))
        {
            string colour = arrow.Denied > 0 ? "red" : arrow.WouldDeny > 0 ? "orange" : "black";
            text.Append($"  {DotQuote(arrow.From)} -> {DotQuote(arrow.To)} [label={DotQuote(arrow.Label)}, color={colour}];\n");
        }

        // A note beside the map (\l ends a left-aligned line).
        text.Append($"  legend [shape=note, fontsize=9, label={DotQuote(string.Join("\\l", LegendLines(colouredArrows: true)) + "\\l")}];\n");
        return text.Append("}\n").ToString();
    }

    /// <summary>A Mermaid flowchart: dotted arrows carry denied or would-deny flows; nodes list their local units as DOT's do.</summary>
    public static string Mermaid(DiscoveryGraph graph)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = new StringBuilder("flowchart LR\n");
        foreach (DiscoveryNode node in graph.Nodes)
        {
            string id = $"n{ids.Count}";
            ids[node.Name] = id;
            text.Append($"  {id}[\"{MermaidText(Label(node, "<br/>"))}\"]\n");
        }

        foreach (Arrow arrow in Arrows(graph))
        {
            string line = arrow.Denied + arrow.WouldDeny > 0 ? "-.->" : "-->";
            text.Append($"  {ids[arrow.From]} {line}|\"{MermaidText(arrow.Label).Replace("\n", "<br/>", StringComparison.Ordinal)}\"| {ids[arrow.To]}\n");
        }

        string legend = string.Join("<br/>", LegendLines(colouredArrows: false).Select(MermaidText));
        return text.Append($"  subgraph legend [Legend]\n    legend0[\"{legend}\"]\n  end\n").ToString();
    }

    /// <summary>What the picture's shapes, arrows and labels mean, one line each: DOT colours its arrows and draws world as an ellipse, Mermaid dots them.</summary>
    private static IEnumerable<string> LegendLines(bool colouredArrows) =>
    [
        "Legend",
        "box: an identity; under its name, the local units (systemd units) of its sockets on this host",
        $"{LocalUnitName.RootCgroup}: a socket in the root cgroup, which no unit owns",
        .. colouredArrows
            ? (string[])["ellipse: world, addresses no identity lists", "red arrow: some flows denied", "orange arrow: some flows enforcement would deny (monitor mode)", "black arrow: every flow allowed"]
            : ["dotted arrow: some flows denied, or that enforcement would deny (monitor mode)", "solid arrow: every flow allowed"],
        "arrow label: service ×flows, from the side that opened them",
    ];

    /// <summary>The node's name, and its local units on the next line when it has any.</summary>
    private static string Label(DiscoveryNode node, string lineBreak) =>
        node.LocalUnits.Count == 0 ? node.Name : node.Name + lineBreak + Units(node.LocalUnits, "");

    private static string Units(IReadOnlyList<string> units, string none) => units.Count == 0 ? none : string.Join(", ", units);

    private sealed record Arrow(string From, string To, string Label, ulong Denied, ulong WouldDeny);

    private static IEnumerable<Arrow> Arrows(DiscoveryGraph graph) =>
        graph.Edges
            .GroupBy(e => (e.Key.From, e.Key.To))
            .OrderBy(g => g.Key.From, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal)
            .Select(pair =>
            {
                var services = pair
                    .GroupBy(e => (e.Key.Protocol, e.Key.Port))
                    .OrderBy(s => s.Key.Protocol).ThenBy(s => s.Key.Port)
                    .Select(s => (Service: s.First().Key.Service, Flows: s.Max(e => e.Flows), Denied: s.Max(e => e.Denied), WouldDeny: s.Max(e => e.WouldDeny)))
                    .ToList();
                string label = string.Join("\n", services.Select(s => $"{s.Service} ×{s.Flows}"));
                return new Arrow(pair.Key.From, pair.Key.To, label, (ulong)services.Sum(s => (decimal)s.Denied), (ulong)services.Sum(s => (decimal)s.WouldDeny));
            });

    private static string DotQuote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    // Mermaid labels are quoted strings; a quote inside is written as an entity.
    private static string MermaidText(string text) => text.Replace("\"", "#quot;", StringComparison.Ordinal);

    private static string N(ulong value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
