using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;
using static Microseg.Datapath.Fixtures.FixtureStep;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Datapath.Tests;

/// <summary>
/// Loading with pins and settings: a second load on the same pin directory adopts the live
/// policy and the conntrack table (what a restarted daemon relies on), and the tuning written
/// into the programs' read-only data really changes their behaviour.
/// </summary>
public sealed class LifecycleTests
{
    private static readonly byte[] Outbound = PacketBuilder.Ip(Web4, World4).Udp(41000, 53).Build();
    private static readonly byte[] Reply = PacketBuilder.Ip(World4, Web4).Udp(53, 41000).Build();

    [PrivilegedFact]
    public void ASecondLoadAdoptsPinnedPolicyAndConntrack()
    {
        using var pins = new BpfPinDirectory();
        var options = DatapathObjects.Options(FixtureCapacities.Small) with { PinDirectory = pins.Path };
        uint generation;
        using (var first = LoadedDatapath.Load(options))
        {
            Assert.False(first.AdoptedPinnedMaps);
            generation = new SlotWriter(first.Maps).Apply(StandardPolicy.Seed().Build()).Generation;
            Assert.False(FixtureRunner.RunStep(first, Out(Outbound)));
        }

        using var second = LoadedDatapath.Load(options);
        Assert.True(second.AdoptedPinnedMaps);
        var writer = new SlotWriter(second.Maps);
        Assert.Equal(generation, writer.ActiveGeneration);
        // The reply finds the flow the first load tracked: default-deny ingress lets it in.
        Assert.False(FixtureRunner.RunStep(second, In(Reply)));
        Assert.Equal(1UL, CountOf(second, Direction.Ingress, Verdict.Allow, VerdictReason.Established));

        // A writer that did not write the standby slot clears it before filling it.
        var applied = writer.Apply(StandardPolicy.Seed(withApiHttp: false).Build());
        Assert.Equal(generation + 1, applied.Generation);
        Assert.True(FixtureRunner.RunStep(second, In(PacketBuilder.Ip(Api4, Web4).Tcp(40000, 80).Build())));
    }

    /// <summary>Both clocks: jiffies when HZ is known, the coarse nanosecond clock when not.</summary>
    public static TheoryData<bool> Clocks => [true, false];

    [PrivilegedTheory]
    [MemberData(nameof(Clocks))]
    public void TuningReachesThePrograms(bool jiffies)
    {
        var hz = KernelClock.DetectHz();
        Assert.True(!jiffies || hz is not null, "the kernel's HZ could not be read from /proc/config.gz or /boot/config-*");
        var tuning = new DatapathTuning
        {
            KernelHz = jiffies ? hz : null,
            OtherTimeout = TimeSpan.FromMilliseconds(20), EventBurst = 1, EventRatePerSecond = 1,
        };
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small) with { Tuning = tuning });
        new SlotWriter(datapath.Maps).Apply(StandardPolicy.Seed().Build());
        using var events = new RingBufferReader(datapath.Maps.Events);

        // A UDP flow idle past its 20 ms timeout is forgotten: its reply is judged as new.
        Assert.False(FixtureRunner.RunStep(datapath, Out(Outbound)));
        Thread.Sleep(200);
        Assert.True(FixtureRunner.RunStep(datapath, In(Reply)));
        Assert.Equal(1UL, CountOf(datapath, Direction.Ingress, Verdict.Deny, VerdictReason.PolicyDefault));

        // A burst of one: the next denial from the same remote within the second is held back.
        Assert.True(FixtureRunner.RunStep(datapath, In(Reply)));
        var collector = new FlowEventCollector([]);
        events.Drain(ref collector);
        Assert.Equal(1, collector.Events.Count(e => e.Kind == FlowEventKind.Deny));
        Assert.Equal(1UL, datapath.Maps.ReadEventLosses(EventLossReason.RateLimited));
    }

    private static ulong CountOf(LoadedDatapath datapath, Direction direction, Verdict verdict, VerdictReason reason) =>
        datapath.Maps.ReadVerdictCounters()
            .Where(c => c.Key.Direction == direction && c.Key.Verdict == verdict && c.Key.Reason == reason)
            .Aggregate(0UL, (sum, c) => sum + c.Value.Packets);
}
