using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microseg.Cli.Daemon;

/// <summary>
/// Renders microsegd's status (the control API's JSON) for a person: the daemon, its policy, then
/// a table per part: programs, interfaces, endpoints, verdict counters, rule hits, map occupancy.
/// Reads the JSON loosely, so a daemon one version apart still shows what both know.
/// </summary>
internal static class StatusText
{
    public static void Write(JsonElement status, TextWriter output)
    {
        output.WriteLine($"microsegd {Text(status, "version")}, running since {Time(status, "startedAt")}");

        output.WriteLine();
        output.WriteLine("Policy");
        output.WriteLine($"  file        {Text(status, "policyPath")}");
        output.WriteLine($"  sha256      {Text(status, "policySha256", "(none applied)")}");
        output.WriteLine($"  generation  {Number(status, "policyGeneration")}, applied {Time(status, "policyAppliedAt")}");
        if (status.TryGetProperty("reloads", out JsonElement reloads))
        {
            output.WriteLine($"  reloads     {Number(reloads, "succeeded")} succeeded, {Number(reloads, "failed")} failed, last success {Time(reloads, "lastSuccess")}");
            List<string> errors = Items(reloads, "lastErrors").Select(e => e.GetString() ?? "").ToList();
            if (errors.Count > 0)
            {
                output.WriteLine("  last errors");
                foreach (string error in errors)
                    output.WriteLine($"    {Printable(error)}");
            }
        }

        List<string> warnings = Items(status, "addressWarnings").Select(w => w.GetString() ?? "").ToList();
        if (warnings.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Addresses no endpoint lists");
            foreach (string warning in warnings)
                output.WriteLine($"  warning: {Printable(warning)}");
        }

        var programs = new TextTable("NAME", "ID>", "TAG");
        foreach (JsonElement p in Items(status, "programs"))
            programs.Add(Text(p, "name"), Number(p, "id"), Text(p, "tag"));
        Section(output, "Programs", programs, "none loaded");

        var interfaces = new TextTable("NAME", "IFINDEX>", "XDP", "EGRESS");
        foreach (JsonElement i in Items(status, "interfaces"))
            interfaces.Add(Text(i, "name"), Number(i, "ifindex"), Text(i, "xdpMode"), Flag(i, "egressAttached") ? "attached" : "not attached");
        Section(output, "Interfaces", interfaces, "none attached");

        var endpoints = new TextTable("IDENTITY", "MODE", "ADDRESSES");
        foreach (JsonElement e in Items(status, "endpoints"))
            endpoints.Add(Text(e, "identity"), Text(e, "mode"), string.Join(", ", Items(e, "addresses").Select(a => a.GetString())));
        Section(output, "Endpoints", endpoints, "none in the policy");

        var verdicts = new TextTable("INTERFACE", "DIRECTION", "VERDICT", "REASON", "PACKETS>", "BYTES>");
        foreach (JsonElement v in Items(status, "verdicts"))
            verdicts.Add(Text(v, "interface"), Text(v, "direction"), Text(v, "verdict"), Text(v, "reason"), Number(v, "packets"), Number(v, "bytes"));
        Section(output, "Verdicts", verdicts, "no packets counted yet");

        var rules = new TextTable("RULE", "KIND", "PACKETS>", "BYTES>");
        foreach (JsonElement r in Items(status, "rules"))
            rules.Add(Text(r, "rule"), Text(r, "kind"), Number(r, "packets"), Number(r, "bytes"));
        Section(output, "Rule hits", rules, "no rule has decided a packet yet");

        var maps = new TextTable("MAP", "ENTRIES>", "CAPACITY>", "USED>");
        foreach (JsonElement m in Items(status, "maps"))
            maps.Add(Text(m, "map"), Number(m, "entries"), Number(m, "capacity"), Percent(m));
        Section(output, "Maps", maps, "none");

        output.WriteLine();
        output.WriteLine($"Conntrack entries: {Number(status, "conntrackEntries")}");
        if (status.TryGetProperty("events", out JsonElement events))
        {
            output.WriteLine(
                $"Flow events: {Number(events, "delivered")} delivered, {Number(events, "lostRateLimited")} lost to the rate limit, " +
                $"{Number(events, "lostBudget")} over the global budget, {Number(events, "lostRingFull")} lost to a full ring; " +
                $"denials summarised instead: {Number(events, "summarisedDenials")} denied, {Number(events, "summarisedWouldDenials")} would-deny");
        }
        if (status.TryGetProperty("attribution", out JsonElement units) && units.ValueKind == JsonValueKind.Object)
        {
            output.WriteLine(
                $"Local units of new flows: {Number(units, "resolved")} resolved, {Number(units, "cached")} from a listener's cached unit, " +
                $"{Number(units, "unresolved")} unresolved, {Number(units, "dropped")} dropped (queue full)");
        }
    }

    private static void Section(TextWriter output, string title, TextTable table, string empty)
    {
        output.WriteLine();
        if (table.Count == 0)
        {
            output.WriteLine($"{title}: {empty}");
            return;
        }

        output.WriteLine(title);
        table.Write(output);
    }

    private static IEnumerable<JsonElement> Items(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : [];

    private static string Text(JsonElement parent, string name, string missing = "-") =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? Printable(value.GetString()!) : missing;

    private static string Number(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "-";

    private static bool Flag(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    /// <summary>A time as UTC to the second (2025-01-02 03:04:05Z), or "never".</summary>
    private static string Time(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out DateTimeOffset at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "never";

    private static string Percent(JsonElement map) =>
        map.TryGetProperty("entries", out JsonElement e) && e.TryGetDouble(out double entries)
        && map.TryGetProperty("capacity", out JsonElement c) && c.TryGetDouble(out double capacity) && capacity > 0
            ? (entries / capacity).ToString("P1", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal)
            : "-";

    /// <summary>Control characters shown as escapes, so a rule name with a newline cannot break a table.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
            return text;
        var printable = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            printable.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return printable.ToString();
    }
}
