using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// Runs fixture rows through the real programs with BPF_PROG_TEST_RUN. Every row starts from
/// a fresh state: a freshly loaded datapath, or a shared one put back by
/// <see cref="DatapathReset"/>, so no conntrack entry, policy or token bucket leaks between rows.
/// </summary>
public sealed class FixtureRunner(DatapathOptions options)
{
    private const uint XdpDrop = 1, XdpPass = 2, TcActOk = 0, TcActShot = 2;
    // Rule ids the fixtures use; counters of ids above this are never touched by a row.
    private const uint HighestFixtureRule = 64;

    public DatapathOptions Options { get; } = options;

    /// <summary>Runs a row on a datapath of its own.</summary>
    public FixtureOutcome Run(DatapathFixture fixture)
    {
        using var datapath = LoadedDatapath.Load(Options);
        return Run(fixture, datapath);
    }

    /// <summary>Runs a row on a shared datapath, reset first.</summary>
    public static FixtureOutcome Run(DatapathFixture fixture, LoadedDatapath datapath)
    {
        DatapathReset.Reset(datapath);
        using var events = new RingBufferReader(datapath.Maps.Events);
        var writer = new SlotWriter(datapath.Maps);
        var seed = (fixture.Seed ?? (() => StandardPolicy.Seed()))();
        writer.Apply(seed.Build());
        foreach (var (key, entry) in seed.Conntrack)
            datapath.Maps.Conntrack.Update(key, entry);

        foreach (var step in fixture.Before)
            RunStep(datapath, step);
        if (fixture.ThenApply is { } then)
            writer.Apply(then().Build());
        foreach (var step in fixture.AfterApply)
            RunStep(datapath, step);

        var discard = new FlowEventCollector([]);
        events.Drain(ref discard);
        var countersBefore = datapath.Maps.ReadVerdictCounters();
        var rulesBefore = ReadRuleCounters(datapath);
        var lostBefore = datapath.Maps.ReadEventLosses(EventLossReason.RateLimited);

        var dropped = RunStep(datapath, fixture.Packet);

        var collector = new FlowEventCollector([]);
        events.Drain(ref collector);
        return new FixtureOutcome
        {
            Dropped = dropped,
            VerdictCounterDeltas = Delta(countersBefore, datapath.Maps.ReadVerdictCounters()),
            RuleCounterDeltas = Delta(rulesBefore, ReadRuleCounters(datapath)),
            Events = collector.Events,
            RateLimitedEvents = datapath.Maps.ReadEventLosses(EventLossReason.RateLimited) - lostBefore,
        };
    }

    /// <summary>Runs one packet; returns whether the program dropped it.</summary>
    public static bool RunStep(LoadedDatapath datapath, FixtureStep step)
    {
        var output = new byte[step.Frame.Length + 512];
        var program = step.Direction == Direction.Ingress ? datapath.Ingress : datapath.Egress;
        var result = program.TestRun(step.Frame, output);
        return (step.Direction, result.ReturnValue) switch
        {
            (Direction.Ingress, XdpDrop) or (Direction.Egress, TcActShot) => true,
            (Direction.Ingress, XdpPass) or (Direction.Egress, TcActOk) => false,
            _ => throw new InvalidOperationException(
                $"{program.Name} returned {result.ReturnValue}, which is neither pass nor drop"),
        };
    }

    private static Dictionary<uint, TrafficCounter> ReadRuleCounters(LoadedDatapath datapath)
    {
        var result = new Dictionary<uint, TrafficCounter>();
        for (uint rule = 1; rule <= HighestFixtureRule; rule++)
            result[rule] = datapath.Maps.ReadRuleCounter(rule);
        return result;
    }

    private static Dictionary<TKey, TrafficCounter> Delta<TKey>(
        Dictionary<TKey, TrafficCounter> before, Dictionary<TKey, TrafficCounter> after) where TKey : notnull
    {
        var delta = new Dictionary<TKey, TrafficCounter>();
        foreach (var (key, now) in after)
        {
            var then = before.GetValueOrDefault(key);
            if (now.Packets != then.Packets || now.Bytes != then.Bytes)
                delta[key] = new TrafficCounter { Packets = now.Packets - then.Packets, Bytes = now.Bytes - then.Bytes };
        }
        return delta;
    }
}

/// <summary>What one row's packet under test did.</summary>
public sealed record FixtureOutcome
{
    public required bool Dropped { get; init; }
    public required Dictionary<VerdictCounterKey, TrafficCounter> VerdictCounterDeltas { get; init; }
    public required Dictionary<uint, TrafficCounter> RuleCounterDeltas { get; init; }
    public required List<FlowEvent> Events { get; init; }
    public required ulong RateLimitedEvents { get; init; }
}

/// <summary>Collects decoded events; for tests, where allocating per event is fine.</summary>
public struct FlowEventCollector(List<FlowEvent> events) : IRingBufferHandler
{
    public List<FlowEvent> Events { get; } = events;

    public readonly void OnRecord(ReadOnlySpan<byte> record)
    {
        if (!FlowEvent.TryRead(record, out var flowEvent))
            throw new InvalidDataException($"ring buffer record of {record.Length} bytes is shorter than a flow event");
        Events.Add(flowEvent);
    }
}
