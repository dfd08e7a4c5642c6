using Microseg.Datapath.Abi;
using Microseg.Datapath.Maps;
using Microseg.Flows.Discovery;
using Microseg.Flows.Monitor;
using Microseg.Flows.Records;
using Microseg.Policy.Model;

namespace Microseg.Flows.Tests;

/// <summary>
/// A deny summary (the kernel's count of denials that got no event) as a record: it reads back
/// from its JSON line, and the discovery graph and the monitor report count each denial it holds,
/// would-deny ones included, without inventing a remote address.
/// </summary>
public sealed class DenySummaryRecordTests
{
    private static FlowRecord Summary(Verdict verdict, ulong count)
    {
        var key = new EventSummaryKey
        {
            LocalAddr = IpAddress16.Parse(Lab.Db), LocalIdentity = 258, RemoteIdentity = AbiConstants.IdentityWorld,
            PolicyPort = 5432, Protocol = FlowText.Tcp, Direction = Direction.Ingress, Reason = VerdictReason.PolicyDefault, Verdict = verdict,
        };
        return FlowEventDecoder.DecodeSummary(new EventSummary(key, count, count * 60, Overflow: false), Lab.Start.AddMinutes(40), Lab.Names);
    }

    [Fact]
    public void A_summary_reads_back_from_its_line()
    {
        var record = Summary(Verdict.Deny, 123_456);

        var line = FlowRecordJson.ToLine(record);
        var read = FlowRecordJson.Parse(line);

        Assert.Contains("\"kind\":\"deny_summary\"", line, StringComparison.Ordinal);
        Assert.Equal(record, read);
        Assert.Equal((123_456ul, 123_456u, "db", "world"), (read.Packets, read.Suppressed, read.LocalIdentity, read.RemoteIdentity));
    }

    [Fact]
    public void The_overflow_summary_reads_back_from_its_line()
    {
        var overflow = new EventSummary(new EventSummaryKey { Verdict = Verdict.Deny }, 9, 540, Overflow: true);
        var record = FlowEventDecoder.DecodeSummary(overflow, Lab.Start, Lab.Names);

        var read = FlowRecordJson.Parse(FlowRecordJson.ToLine(record));

        Assert.Equal(record, read);
        Assert.Equal((FlowEventDecoder.OverflowIdentity, (byte)0, 9ul), (read.LocalIdentity, read.Protocol, read.Packets));
    }

    [Fact]
    public void The_monitor_report_counts_each_summarised_denial()
    {
        List<FlowRecord> records = [.. Lab.Day(), Summary(Verdict.WouldDeny, 5000)];

        MonitorGroup probe = MonitorReport.Of(records).Groups[0];

        Assert.Equal(("db", "world", "tcp/5432"), (probe.Endpoint, probe.Remote, probe.Service));
        Assert.Equal((5002ul, 5000ul), (probe.WouldDeny, probe.Suppressed));
        Assert.Equal([Lab.Attacker], probe.RemoteAddresses);
    }

    [Fact]
    public void The_graph_counts_each_summarised_denial_on_its_edge()
    {
        var graph = DiscoveryGraph.Of([Summary(Verdict.Deny, 70)]);

        var edge = Assert.Single(graph.Edges);
        Assert.Equal((70ul, 70ul, 70ul, 70ul), (edge.Flows, edge.Denied, edge.Suppressed, edge.Packets));
        Assert.Empty(edge.Samples);
    }
}
