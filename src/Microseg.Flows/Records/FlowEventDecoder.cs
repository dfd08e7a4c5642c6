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
        Direction = flowEvent.Direction == Direction.Egress ? TrafficDirection.Egress : TrafficDirection.Ingress,
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

    /// <summary>The wall-clock time CLOCK_MONOTONIC read zero, from one reading of each clock.</summary>
    public static DateTimeOffset CurrentMonotonicEpoch()
    {
        // Stopwatch on Linux is CLOCK_MONOTONIC in nanoseconds-based ticks.
        long monotonicTicks = (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (10_000_000.0 / System.Diagnostics.Stopwatch.Frequency));
        return DateTimeOffset.UtcNow.AddTicks(-monotonicTicks);
    }
}
