using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_verdict_counter_key</c>.</summary>
[MirrorsCStruct("ms_verdict_counter_key"), StructLayout(LayoutKind.Sequential)]
public struct VerdictCounterKey : IEquatable<VerdictCounterKey>
{
    public uint Ifindex;
    public Direction Direction;
    public Verdict Verdict;
    public VerdictReason Reason;
    public byte Pad;

    public readonly bool Equals(VerdictCounterKey o) =>
        Ifindex == o.Ifindex && Direction == o.Direction && Verdict == o.Verdict && Reason == o.Reason;
    public override readonly bool Equals(object? obj) => obj is VerdictCounterKey o && Equals(o);
    public override readonly int GetHashCode() => HashCode.Combine(Ifindex, Direction, Verdict, Reason);
    public override readonly string ToString() => $"if{Ifindex}/{Direction}/{Verdict}/{Reason}";
}

/// <summary>Mirrors <c>struct ms_traffic_counter</c>: one CPU's share of a counter.</summary>
[MirrorsCStruct("ms_traffic_counter"), StructLayout(LayoutKind.Sequential)]
public struct TrafficCounter
{
    public ulong Packets;
    public ulong Bytes;
}

/// <summary>Mirrors <c>struct ms_event_loss_counter</c>.</summary>
[MirrorsCStruct("ms_event_loss_counter"), StructLayout(LayoutKind.Sequential)]
public struct EventLossCounter
{
    public ulong Events;
}

/// <summary>Mirrors <c>struct ms_rate_limit_state</c>: a remote's event token bucket.</summary>
[MirrorsCStruct("ms_rate_limit_state"), StructLayout(LayoutKind.Sequential)]
public struct RateLimitState
{
    public ulong RefilledNs;
    public uint Tokens;
    public uint Suppressed;
}
