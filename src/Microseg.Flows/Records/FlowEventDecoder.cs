using System.Buffers.Binary;
using Microseg.Datapath.Abi;
using Microseg.Policy.Model;

namespace Microseg.Flows.Records;

/// <summary>
/// Decodes the kernel's <see cref="FlowEvent"/> into a <see cref="FlowRecord"/>: ports to host
/// order, numbers to names, the monotonic timestamp to wall-clock time. Called per event by the
/// daemon; allocates nothing. Thread-safe (it holds only the clock's epoch).
/// </summary>
public sealed class FlowEventDecoder
{
    /// <summary>A decoder whose clock epoch is taken now (see <see cref="MonotonicEpoch"/>).</summary>
    public FlowEventDecoder()
        : this(CurrentMonotonicEpoch())
    {
    }

    /// <summary>A decoder with a given epoch (tests, or a daemon that measured it itself).</summary>
    public FlowEventDecoder(DateTimeOffset monotonicEpoch)
    {
        MonotonicEpoch = monotonicEpoch;
    }

    /// <summary>
    /// The wall-clock time at which CLOCK_MONOTONIC read zero (boot, less suspended time). The
    /// kernel stamps events with CLOCK_MONOTONIC_COARSE nanoseconds; adding them to this gives
    /// wall-clock time. Fixed at construction: a wall-clock step later does not move old events.
    /// </summary>
    public DateTimeOffset MonotonicEpoch { get; }

    /// <summary>Decodes one event, naming its numbers through <paramref name="names"/>.</summary>
    public FlowRecord Decode(in FlowEvent flowEvent, IIdentityNames names) => new()
    {
        // 100 ns ticks: the coarse clock is only good to ~4 ms anyway.
        Time = MonotonicEpoch.AddTicks((long)(flowEvent.TimestampNs / 100)),
        Kind = flowEvent.Kind,
        LocalAddress = flowEvent.LocalAddr,
        RemoteAddress = flowEvent.RemoteAddr,
        LocalPort = BinaryPrimitives.ReverseEndianness(flowEvent.LocalPort),
        RemotePort = BinaryPrimitives.ReverseEndianness(flowEvent.RemotePort),
        Protocol = flowEvent.Protocol,
        Direction = flowEvent.Direction == Direction.Egress ? Direction.Egress : Direction.Ingress,
        LocalIdentityId = flowEvent.LocalIdentity,
        LocalIdentity = names.Identity(flowEvent.LocalIdentity),
        RemoteIdentityId = flowEvent.RemoteIdentity,
        RemoteIdentity = names.Identity(flowEvent.RemoteIdentity),
        RuleId = flowEvent.RuleId,
        RuleName = names.Rule(flowEvent.RuleId),
        Verdict = flowEvent.Verdict,
        Reason = flowEvent.Reason,
        PolicyPort = flowEvent.PolicyPort,
        TcpFlags = flowEvent.TcpFlags,
        Packets = flowEvent.Packets,
        Bytes = flowEvent.Bytes,
        Suppressed = flowEvent.Suppressed,
        PolicyGeneration = flowEvent.PolicyGeneration,
        Ifindex = flowEvent.Ifindex,
    };

    /// <summary>The identity both sides of a summary of the overflow counter are given: the kernel kept no key for it.</summary>
    public const string OverflowIdentity = "(overflow)";

    /// <summary>
    /// One summary of denials without an event (ms_event_summaries) as a
    /// <see cref="FlowEventKind.DenySummary"/> record stamped <paramref name="time"/> (the end of its
    /// interval): the endpoint, direction, service, reason and rule of the key; no remote address
    /// or ports (a summary has none); <see cref="FlowRecord.Packets"/> and
    /// <see cref="FlowRecord.Suppressed"/> are the denials it counts. A summary of the overflow
    /// counter names both identities <see cref="OverflowIdentity"/>.
    /// </summary>
    public static FlowRecord DecodeSummary(in Datapath.Maps.EventSummary summary, DateTimeOffset time, IIdentityNames names)
    {
        var key = summary.Key;
        return new FlowRecord
        {
            Time = time,
            Kind = FlowEventKind.DenySummary,
            LocalAddress = key.LocalAddr,
            Protocol = key.Protocol,
            Direction = key.Direction == Direction.Egress ? Direction.Egress : Direction.Ingress,
            LocalIdentityId = key.LocalIdentity,
            LocalIdentity = summary.Overflow ? OverflowIdentity : names.Identity(key.LocalIdentity),
            RemoteIdentityId = key.RemoteIdentity,
            RemoteIdentity = summary.Overflow ? OverflowIdentity : names.Identity(key.RemoteIdentity),
            RuleId = key.RuleId,
            RuleName = names.Rule(key.RuleId),
            Verdict = key.Verdict,
            Reason = summary.Overflow ? VerdictReason.PolicyDefault : key.Reason,
            PolicyPort = key.PolicyPort,
            Packets = summary.Packets,
            Bytes = summary.Bytes,
            Suppressed = (uint)Math.Min(summary.Packets, uint.MaxValue),
        };
    }

    /// <summary>The wall-clock time CLOCK_MONOTONIC read zero, from one reading of each clock.</summary>
    public static DateTimeOffset CurrentMonotonicEpoch()
    {
        // Stopwatch on Linux is CLOCK_MONOTONIC in nanoseconds-based ticks.
        long monotonicTicks = (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (10_000_000.0 / System.Diagnostics.Stopwatch.Frequency));
        return DateTimeOffset.UtcNow.AddTicks(-monotonicTicks);
    }
}
