using System.Text.Json;
using Microseg.Datapath.Abi;
using Microseg.Flows.Export;
using Microseg.Flows.Records;

namespace Microseg.Flows.Monitor;

/// <summary>
/// What enforcement blocks or would block: deny and would-deny records grouped by endpoint
/// identity, remote identity, direction, service and the deciding rule (or <c>default</c>), with
/// counts and first and last seen. Groups come busiest first.
/// </summary>
public sealed class MonitorReport
{
    /// <summary>Remote addresses listed per group: enough to recognise a scanner, bounded for a flood.</summary>
    public const int MaxAddressesPerGroup = 8;

    private MonitorReport(IReadOnlyList<MonitorGroup> groups)
    {
        Groups = groups;
    }

    public IReadOnlyList<MonitorGroup> Groups { get; }

    /// <summary>Groups the deny and would-deny first packets judged by the policy among <paramref name="records"/>.</summary>
    public static MonitorReport Of(IEnumerable<FlowRecord> records)
    {
        var groups = new Dictionary<(string, string, Direction, byte, ushort, string), MonitorGroup>();
        foreach (FlowRecord r in records)
        {
            if (!r.IsJudgedFlow || r.Verdict is not (Verdict.Deny or Verdict.WouldDeny))
            {
                continue;
            }

            string rule = r.RuleName ?? MonitorGroup.DefaultRule;
            var key = (r.LocalIdentity, r.RemoteIdentity, r.Direction, r.Protocol, r.PolicyPort, rule);
            if (!groups.TryGetValue(key, out MonitorGroup? group))
            {
                group = new MonitorGroup(r.LocalIdentity, r.RemoteIdentity, r.Direction, r.Protocol, r.PolicyPort, rule);
                groups.Add(key, group);
            }

            if (r.Kind == FlowEventKind.DenySummary)
            {
                // Counted without events: each denial counts, in the suppressed column as well.
                if (r.Verdict == Verdict.Deny)
                {
                    group.Denied += r.Packets;
                }
                else
                {
                    group.WouldDeny += r.Packets;
                }
            }
            else if (r.Verdict == Verdict.Deny)
            {
                group.Denied++;
            }
            else
            {
                group.WouldDeny++;
            }

            group.Suppressed += r.Suppressed;
            group.FirstSeen = r.Time < group.FirstSeen ? r.Time : group.FirstSeen;
            group.LastSeen = r.Time > group.LastSeen ? r.Time : group.LastSeen;
            if (group._remotes.Count < MaxAddressesPerGroup && r.Kind != FlowEventKind.DenySummary)
            {
                group._remotes.Add(r.RemoteAddress.ToString());
            }
        }

        return new MonitorReport(groups.Values
            .OrderByDescending(g => g.Total).ThenBy(g => g.Endpoint, StringComparer.Ordinal).ThenBy(g => g.Remote, StringComparer.Ordinal)
            .ThenBy(g => g.Protocol).ThenBy(g => g.Port).ThenBy(g => g.Rule, StringComparer.Ordinal)
            .ToList());
    }

    public static readonly IReadOnlyList<string> TableHeader =
        ["ENDPOINT", "REMOTE", "DIRECTION", "SERVICE", "RULE", "WOULD DENY", "DENIED", "FIRST SEEN", "LAST SEEN", "REMOTE ADDRESSES"];

    public string Table()
    {
        if (Groups.Count == 0)
        {
            return "Nothing was blocked, and enforcement would block nothing that was seen.\n";
        }

        return TextTable.Render(TableHeader, Groups.Select(g => (IReadOnlyList<string>)
        [
            g.Endpoint, g.Remote, g.Direction.Name(), g.Service, g.Rule, $"{g.WouldDeny}", $"{g.Denied}",
            TextTable.Time(g.FirstSeen), TextTable.Time(g.LastSeen), string.Join(",", g.RemoteAddresses),
        ]));
    }

    public string Json()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("groups");
            foreach (MonitorGroup g in Groups)
            {
                w.WriteStartObject();
                w.WriteString("endpoint", g.Endpoint);
                w.WriteString("remote", g.Remote);
                w.WriteString("direction", g.Direction.Name());
                w.WriteString("protocol", FlowText.Protocol(g.Protocol));
                w.WriteNumber("port", g.Port);
                w.WriteString("rule", g.Rule);
                w.WriteNumber("wouldDeny", g.WouldDeny);
                w.WriteNumber("denied", g.Denied);
                w.WriteNumber("suppressed", g.Suppressed);
                w.WriteString("firstSeen", g.FirstSeen.UtcDateTime);
                w.WriteString("lastSeen", g.LastSeen.UtcDateTime);
                w.WriteStartArray("remoteAddresses");
                foreach (string a in g.RemoteAddresses)
                {
                    w.WriteStringValue(a);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }
}
