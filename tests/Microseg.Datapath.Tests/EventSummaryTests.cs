using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Maps;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;
using static Microseg.Datapath.Fixtures.FixtureStep;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Datapath.Tests;

/// <summary>
/// Denials beyond the event budget: a flood with a new source address per packet gets no more
/// events than the global budget allows, and every denial without an event is in a summary, so
/// events plus summaries are the verdict counters exactly, even when the summary map is full.
/// </summary>
public sealed class EventSummaryTests
{
    /// <summary>A small budget (a burst of 4 per CPU, one a second after) that a test exceeds quickly.</summary>
    private static readonly DatapathTuning SmallBudget = new()
    {
        EventBudgetPerSecond = 1, EventBudgetBurst = 4 * (uint)DatapathTuning.CountOnlineCpus(),
    };

    [PrivilegedFact]
    public void ASpoofedSourceFloodGetsTheBudgetsEventsAndTheRestIsSummarised()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small) with { Tuning = SmallBudget });
        new SlotWriter(datapath.Maps).Apply(StandardPolicy.Seed().Build());
        using var ring = new RingBufferReader(datapath.Maps.Events);
        const int Packets = 3000;

        // Each SYN from a new world address: every one has a full per-source bucket.
        for (int i = 0; i < Packets; i++)
        {
            var source = $"198.18.{i / 250}.{i % 250 + 1}";
            Assert.True(FixtureRunner.RunStep(datapath, In(PacketBuilder.Ip(source, Web4).Tcp(40000, 9999, TcpFlags.Syn))));
        }

        var collector = new FlowEventCollector([]);
        ring.Drain(ref collector);
        var denyEvents = collector.Events.Count(e => e.Kind == FlowEventKind.Deny);
        var summaries = new EventSummaryReader(datapath.Maps).Drain();
        var denied = DeniedByPolicy(datapath);

        Assert.Equal((ulong)Packets, denied);
        // The budget's burst on whichever CPUs ran the test, plus what a second or two refills.
        Assert.InRange(denyEvents, 1, (int)SmallBudget.EventBudgetBurst + 4);
        Assert.Equal(denied, (ulong)denyEvents + Total(summaries));
        var summary = Assert.Single(summaries);
        Assert.Equal((Web, Direction.Ingress, (byte)Tcp, (ushort)9999, VerdictReason.PolicyDefault, Verdict.Deny),
            (summary.Key.LocalIdentity, summary.Key.Direction, summary.Key.Protocol, summary.Key.PolicyPort, summary.Key.Reason, summary.Key.Verdict));
        Assert.Equal(IpAddress16.Parse(Web4), summary.Key.LocalAddr);
        Assert.Equal(datapath.Maps.ReadEventLosses(EventLossReason.Budget) + datapath.Maps.ReadEventLosses(EventLossReason.RateLimited), summary.Packets);
        Assert.True(datapath.Maps.ReadEventLosses(EventLossReason.Budget) > 0, "the global budget should have held events back");
    }

    [PrivilegedFact]
    public void EachDrainTakesWhatWasCountedSinceTheLastOneOnce()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small) with { Tuning = SmallBudget });
        new SlotWriter(datapath.Maps).Apply(StandardPolicy.Seed().Build());
        var reader = new EventSummaryReader(datapath.Maps);
        var packet = In(PacketBuilder.Ip(World4, Web4).Tcp(40000, 9999, TcpFlags.Syn));

        // One source: past its bucket's burst of 20, the rest is summarised.
        for (int i = 0; i < 50; i++)
            FixtureRunner.RunStep(datapath, packet);
        var first = Total(reader.Drain());
        for (int i = 0; i < 7; i++)
            FixtureRunner.RunStep(datapath, packet);
        var second = Total(reader.Drain());
        var third = Total(reader.Drain());

        Assert.True(first >= 50 - 20 - 4, $"the first drain found {first}");
        Assert.Equal(7UL, second);
        Assert.Equal(0UL, third);
        Assert.Equal(0L, datapath.Maps.EventSummaries.CountEntries());
    }

    [PrivilegedFact]
    public void AFullSummaryMapCountsTheRestInTheOverflow()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small) with { Tuning = SmallBudget });
        new SlotWriter(datapath.Maps).Apply(StandardPolicy.Seed().Build());
        using var ring = new RingBufferReader(datapath.Maps.Events);
        int ports = (int)AbiConstants.EventSummaryEntries + 500;

        // One key per port: more keys than the map holds (the few ports the policy opens to
        // the world are allowed, not counted).
        for (int port = 1; port <= ports; port++)
            FixtureRunner.RunStep(datapath, In(PacketBuilder.Ip(World4, Web4).Tcp(40000, (ushort)port, TcpFlags.Syn)));

        var collector = new FlowEventCollector([]);
        ring.Drain(ref collector);
        var summaries = new EventSummaryReader(datapath.Maps).Drain();
        var overflow = Assert.Single(summaries, s => s.Overflow);

        Assert.Equal(Verdict.Deny, overflow.Key.Verdict);
        Assert.Equal((int)AbiConstants.EventSummaryEntries, summaries.Count(s => !s.Overflow));
        Assert.Equal(DeniedByPolicy(datapath), (ulong)collector.Events.Count(e => e.Kind == FlowEventKind.Deny) + Total(summaries));
    }

    private static ulong Total(IEnumerable<EventSummary> summaries) => summaries.Aggregate(0UL, (sum, s) => sum + s.Packets);

    private static ulong DeniedByPolicy(LoadedDatapath datapath) =>
        datapath.Maps.ReadVerdictCounters()
            .Where(c => c.Key.Verdict == Verdict.Deny && c.Key.Reason is VerdictReason.PolicyDefault or VerdictReason.PolicyRule)
            .Aggregate(0UL, (sum, c) => sum + c.Value.Packets);
}
