using System.Diagnostics;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;

namespace Microseg.Bench.Datapath;

/// <summary>
/// ns/packet of ms_xdp_ingress under BPF_PROG_TEST_RUN for three fixture rows, at each scale,
/// beside the empty XDP program measured in the same run:
/// <list type="bullet">
/// <item><c>established</c>: the next packet of a tracked flow (row "established inbound flow
/// keeps its rule"): conntrack hit, counters. Repeat method.</item>
/// <item><c>denied</c>: a packet from a known identity to a port no rule allows (row "default
/// deny just past range"): full policy walk, default deny, a deny event that the per-remote
/// token bucket suppresses after its burst, as it does in a real flood. Repeat method.</item>
/// <item><c>new_flow</c>: an allowed packet opening a flow (row "allow exact port ipv4") from
/// a new source port every time: policy walk, conntrack insert, new-flow event into the ring
/// (drained between rounds, as the daemon would). Per-call method: a repeated packet would be
/// established from its second run on.</item>
/// </list>
/// </summary>
internal sealed class DatapathBenchmark(BenchSettings settings, TextWriter log)
{
    public const string Established = "established", Denied = "denied", NewFlow = "new_flow", DeniedNewSource = "denied_new_source";
    public const double EstablishedTarget = 4, DeniedTarget = 5, NewFlowTarget = 12;
    private const string EstablishedRow = "established inbound flow keeps its rule";
    private const string DeniedRow = "default deny just past range";
    private const string NewFlowRow = "allow exact port ipv4";
    private const string DeniedWorldRow = "default deny from world";
    /// <summary>denied_new_source's sources: 203.0.0.0 up, world in every scale's policy.</summary>
    private const uint FirstNewSource = 0xCB00_0000;

    public List<CaseResult> Run(string objectDirectory)
    {
        using var emptyObject = BpfObject.Open(Path.Combine(objectDirectory, "bench_empty.bpf.o"));
        emptyObject.Load();
        var empty = emptyObject.GetProgram("bench_empty");
        var cpu = settings.Cpu ?? CpuAffinity.Allowed()[^1];
        log.WriteLine($"measuring on CPU {cpu}; {settings.Rounds} rounds (+{settings.WarmupRounds} warm-up) per case; " +
                      $"repeat {settings.Repeat}; new_flow {settings.FlowsPerRound} flows per round");

        var results = new List<CaseResult>();
        foreach (var entries in settings.Entries)
            results.AddRange(RunScale(objectDirectory, empty, entries, cpu));
        return results;
    }

    private List<CaseResult> RunScale(string objectDirectory, BpfProgram empty, int entries, int cpu)
    {
        var clock = Stopwatch.StartNew();
        var image = ScaledPolicy.Build(entries);
        var capacities = ScaledPolicy.Capacities(entries);
        if (image.CapacityProblems(capacities) is { Count: > 0 } problems)
            throw new InvalidOperationException($"{entries} entries do not fit: {string.Join("; ", problems)}");
        var built = clock.Elapsed;

        using var datapath = LoadedDatapath.Load(new DatapathOptions { ObjectDirectory = objectDirectory, Capacities = capacities });
        var loaded = clock.Elapsed;
        var written = new SlotWriter(datapath.Maps).Apply(image);
        var applied = clock.Elapsed;
        var prefill = ConntrackPrefill.Fill(datapath.Maps);
        log.WriteLine($"{entries,9} entries: image {built.TotalSeconds:F2} s, load {(loaded - built).TotalSeconds:F2} s, " +
                      $"{written.Written} map entries written in {(applied - loaded).TotalSeconds:F2} s, " +
                      $"{prefill.Count} conntrack flows pre-filled");

        using var events = new RingBufferReader(datapath.Maps.Events);
        using var pinned = CpuAffinity.PinTo(cpu);
        var runs = new InterleavedRuns(empty, datapath.Ingress, settings);

        var established = FixtureTable.Named(EstablishedRow);
        foreach (var step in established.Before)
            FixtureRunner.RunStep(datapath, step);
        Verify(datapath, established, established.Packet.Frame);
        var results = new List<CaseResult>();
        var establishedResult = new CaseResult
        {
            Name = Established, Entries = entries, Method = "repeat", Target = EstablishedTarget,
            Rounds = runs.Repeated(established.Packet.Frame, Frames.ExpectedReturn(established)),
        };
        results.Add(establishedResult);

        var denied = FixtureTable.Named(DeniedRow);
        Verify(datapath, denied, denied.Packet.Frame);
        Drain(events);
        var rateLimitedBefore = datapath.Maps.ReadEventLosses(EventLossReason.RateLimited);
        var deniedRounds = runs.Repeated(denied.Packet.Frame, Frames.ExpectedReturn(denied));
        var suppressed = datapath.Maps.ReadEventLosses(EventLossReason.RateLimited) - rateLimitedBefore;
        var deniedEvents = Drain(events);
        results.Add(new CaseResult
        {
            Name = Denied, Entries = entries, Method = "repeat", Target = DeniedTarget, Rounds = deniedRounds,
            Checks = new Dictionary<string, long>
            {
                ["deny_events_delivered"] = deniedEvents,
                ["deny_events_rate_limited"] = (long)suppressed,
            },
        });

        // Calibration for the per-call method: the established packet measured per call too,
        // so the report can show how much of a per-call duration is the method, not the packet.
        var establishedPerCall = runs.PerCall(
            Enumerable.Repeat(established.Packet.Frame, (settings.WarmupRounds + settings.Rounds) * settings.FlowsPerRound).ToList(),
            Frames.ExpectedReturn(established), () => { });
        results.Add(MeasureNewFlow(datapath, runs, events, prefill, entries, establishedResult, establishedPerCall));
        results.Add(MeasureDeniedNewSource(datapath, runs, events, entries, establishedResult, establishedPerCall));
        return results;
    }

    private CaseResult MeasureNewFlow(LoadedDatapath datapath, InterleavedRuns runs, RingBufferReader events,
        ConntrackPrefill prefill, int entries, CaseResult established, List<InterleavedRuns.Round> establishedPerCall)
    {
        var row = FixtureTable.Named(NewFlowRow);
        var flows = (settings.WarmupRounds + settings.Rounds) * settings.FlowsPerRound;
        if (flows + 1 > prefill.HeadroomPerCpu)
            throw new InvalidOperationException(
                $"{flows} new flows would overflow the measuring CPU's {prefill.HeadroomPerCpu} free conntrack elements and measure eviction instead");
        // Every flow the other rows opened from this remote keeps its port out of the set.
        var taken = new HashSet<ushort> { Frames.SourcePort(row.Packet.Frame) };
        var verifyFrame = Frames.WithSourcePort(row.Packet.Frame, 1023);
        taken.Add(1023);
        var frames = Frames.FromDistinctSourcePorts(row.Packet.Frame, flows, taken);
        Verify(datapath, row, verifyFrame);
        Drain(events);

        var ringFullBefore = datapath.Maps.ReadEventLosses(EventLossReason.RingFull);
        long delivered = 0;
        var rounds = runs.PerCall(frames, Frames.ExpectedReturn(row), () => delivered += Drain(events));

        var notTracked = frames.Count(f => !datapath.Maps.Conntrack.TryLookup(Frames.InboundFlowKey(f), out _));
        var prefillEvicted = prefill.Missing(datapath.Maps);
        if (notTracked > 0 || prefillEvicted > 0)
            log.WriteLine($"warning: new_flow at {entries}: {notTracked} new flows untracked, {prefillEvicted} pre-filled flows evicted");
        return Calibrated(new CaseResult
        {
            Name = NewFlow, Entries = entries, Method = "per-call", Target = NewFlowTarget, Rounds = rounds,
            Checks = new Dictionary<string, long>
            {
                ["flows_opened"] = frames.Count,
                ["flows_not_tracked_after"] = notTracked,
                ["prefilled_flows_evicted"] = prefillEvicted,
                ["new_flow_events_delivered"] = delivered,
                ["events_lost_ring_full"] = (long)(datapath.Maps.ReadEventLosses(EventLossReason.RingFull) - ringFullBefore),
            },
        }, established, establishedPerCall);
    }

    /// <summary>A per-call case with what its stricter reading needs: the steady-state baseline,
    /// and the established packet measured both ways.</summary>
    private static CaseResult Calibrated(CaseResult perCall, CaseResult established, List<InterleavedRuns.Round> establishedPerCall) => perCall with
    {
        SteadyBaselineNs = established.BaselineNs.Median,
        EstablishedRepeatNs = established.CaseNs.Median,
        EstablishedPerCallNs = Spread.Of(establishedPerCall.Select(r => r.CaseNs)).Median,
    };

    /// <summary>The denied path for a source no memo knows: a new world address each run.</summary>
    private CaseResult MeasureDeniedNewSource(LoadedDatapath datapath, InterleavedRuns runs, RingBufferReader events,
        int entries, CaseResult established, List<InterleavedRuns.Round> establishedPerCall)
    {
        var row = FixtureTable.Named(DeniedWorldRow);
        var count = (settings.WarmupRounds + settings.Rounds) * settings.FlowsPerRound;
        // One more address than measured, so the one verified first is not measured warm.
        var frames = Frames.FromDistinctSourceAddresses(row.Packet.Frame, count + 1, FirstNewSource);
        Verify(datapath, row, frames[^1]);
        frames.RemoveAt(frames.Count - 1);
        Drain(events);
        long delivered = 0;
        var rounds = runs.PerCall(frames, Frames.ExpectedReturn(row), () => delivered += Drain(events));
        return Calibrated(new CaseResult
        {
            Name = DeniedNewSource, Entries = entries, Method = "per-call", Target = DeniedTarget, Informational = true,
            Rounds = rounds,
            Checks = new Dictionary<string, long>
            {
                ["sources"] = frames.Count,
                ["deny_events_delivered"] = delivered,
            },
        }, established, establishedPerCall);
    }

    /// <summary>
    /// Runs the frame once and checks that exactly the row's verdict and reason were counted,
    /// so the benchmark measures the path the fixture row names and not a cheaper one.
    /// </summary>
    private static void Verify(LoadedDatapath datapath, DatapathFixture row, byte[] frame)
    {
        var before = datapath.Maps.ReadVerdictCounters();
        var dropped = FixtureRunner.RunStep(datapath, row.Packet with { Frame = frame });
        var after = datapath.Maps.ReadVerdictCounters();
        var grew = after.Where(kv => kv.Value.Packets != before.GetValueOrDefault(kv.Key).Packets)
                        .Select(kv => kv.Key).ToList();
        if (dropped != row.Dropped || grew.Count != 1 || grew[0].Verdict != row.Verdict || grew[0].Reason != row.Reason)
            throw new InvalidOperationException(
                $"row '{row.Name}' expects {row.Verdict}/{row.Reason}; the scaled datapath counted {string.Join(", ", grew)}");
    }

    private static long Drain(RingBufferReader events)
    {
        var counter = new EventCounter();
        events.Drain(ref counter);
        return counter.Count;
    }

    /// <summary>Consumes events, counting them: the benchmark stands in for the daemon's reader.</summary>
    private struct EventCounter : IRingBufferHandler
    {
        public long Count;

        public void OnRecord(ReadOnlySpan<byte> record) => Count++;
    }
}
