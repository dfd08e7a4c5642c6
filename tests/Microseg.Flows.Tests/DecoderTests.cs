using Microseg.TestSupport;
using System.Text.Json;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microseg.Policy.Model;

namespace Microseg.Flows.Tests;

/// <summary>The kernel's record, built byte for byte as the ring buffer holds it, decoded.</summary>
public sealed class DecoderTests
{
    private static FlowEvent KernelEvent()
    {
        var e = new FlowEvent
        {
            TimestampNs = 5_000_000_123,
            LocalAddr = IpAddress16.Parse(Lab.Web),
            RemoteAddr = IpAddress16.Parse("2001:db8::7"),
            LocalPort = 0xbb01,   // 443, network order
            RemotePort = 0x409c,  // 40000, network order
            LocalIdentity = 256,
            RemoteIdentity = AbiConstants.IdentityWorld,
            RuleId = 1,
            Ifindex = 3,
            PolicyGeneration = 7,
            Suppressed = 2,
            Kind = FlowEventKind.WouldDeny,
            Direction = Direction.Ingress,
            Protocol = 6,
            Reason = VerdictReason.PolicyRule,
            Verdict = Verdict.WouldDeny,
            TcpFlags = 0x02,
            PolicyPort = 443,
            Packets = 1,
            Bytes = 74,
        };
        // Through the bytes, as the ring hands it over.
        byte[] raw = new byte[96];
        System.Runtime.InteropServices.MemoryMarshal.Write(raw, in e);
        Assert.True(FlowEvent.TryRead(raw, out FlowEvent read));
        return read;
    }

    [Fact]
    public void An_event_decodes_to_host_order_names_and_wall_clock_time()
    {
        var decoder = new FlowEventDecoder(Lab.Start);
        FlowEvent e = KernelEvent();

        FlowRecord r = decoder.Decode(e, Lab.Names);

        Assert.Equal(Lab.Start.AddTicks(50_000_001), r.Time);
        Assert.Equal((ushort)443, r.LocalPort);
        Assert.Equal((ushort)40000, r.RemotePort);
        Assert.Equal("10.0.1.10", r.LocalAddress.ToString());
        Assert.Equal("2001:db8::7", r.RemoteAddress.ToString());
        Assert.Equal(("web", "world", "https-from-world"), (r.LocalIdentity, r.RemoteIdentity, r.RuleName));
        Assert.Equal((Direction.Ingress, Verdict.WouldDeny, VerdictReason.PolicyRule, FlowEventKind.WouldDeny), (r.Direction, r.Verdict, r.Reason, r.Kind));
        Assert.Equal((6, 443, 2u, 7u, 3u, 74ul), (r.Protocol, r.PolicyPort, r.Suppressed, r.PolicyGeneration, r.Ifindex, r.Bytes));
        Assert.Equal(("world", "web"), (r.From, r.To));
        Assert.True(r.IsJudgedFlow);
    }

    [Fact]
    public void Decoding_allocates_nothing()
    {
        var decoder = new FlowEventDecoder(Lab.Start);
        FlowEvent e = KernelEvent();
        decoder.Decode(e, Lab.Names); // warm up
        ulong sum = 0;
        long allocated = Allocations.FewestInAnyWindow(() =>
        {
            for (int i = 0; i < 1000; i++)
                sum += decoder.Decode(e, Lab.Names).Bytes;
        });

        Assert.Equal(0, allocated);
        Assert.Equal(5 * 74_000ul, sum);
    }

    [Fact]
    public void Unknown_numbers_get_stable_names_and_the_default_has_none()
    {
        Assert.Equal("identity-999", Lab.Names.Identity(999));
        Assert.Same(Lab.Names.Identity(999), Lab.Names.Identity(999));
        Assert.Equal("rule-77", Lab.Names.Rule(77));
        Assert.Null(Lab.Names.Rule(0));
        Assert.Equal(("world", "host"), (IdentityNames.Empty.Identity(1), IdentityNames.Empty.Identity(2)));
    }

    [Fact]
    public void A_record_round_trips_through_its_json_line()
    {
        FlowRecord r = new FlowEventDecoder(Lab.Start).Decode(KernelEvent(), Lab.Names);

        string line = FlowRecordJson.ToLine(r);
        FlowRecord back = FlowRecordJson.Parse(line);

        Assert.DoesNotContain('\n', line);
        Assert.Equal("would_deny", JsonDocument.Parse(line).RootElement.GetProperty("verdict").GetString());
        Assert.Equal(r with { Time = back.Time }, back);
        Assert.Equal(r.Time.UtcDateTime, back.Time.UtcDateTime);
    }

    [Fact]
    public void A_bad_line_is_named_with_its_file_and_line()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("flows.jsonl", FlowRecordJson.ToLine(Lab.Day()[0]) + "\n\n{\"time\": \"2026-11-21T10:00:00Z\", \"kind\": \"sideways\"}\n");

        var e = Assert.Throws<FlowDataException>(() => FlowLog.Read(path));

        Assert.Equal($"{path}:3: not a flow record: 'kind' must be new_flow, deny, would_deny, flow_end or deny_summary", e.Message);
    }

    [Fact]
    public void A_flow_log_round_trips()
    {
        using var dir = new TempDirectory();
        List<FlowRecord> day = Lab.Day();
        FlowLog.Write(dir.File("day.jsonl"), day);

        List<FlowRecord> back = FlowLog.Read(dir.File("day.jsonl"));

        Assert.Equal(day.Count, back.Count);
        Assert.Equal(day.Select(r => FlowRecordJson.ToLine(r)), back.Select(r => FlowRecordJson.ToLine(r)));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
