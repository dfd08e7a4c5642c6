using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors <c>struct ms_interface_slot</c>: value of ms_interface_slots[ifindex].</summary>
[MirrorsCStruct("ms_interface_slot"), StructLayout(LayoutKind.Sequential)]
public struct InterfaceSlot
{
    /// <summary>1 to <see cref="AbiConstants.MaxInterfaceSlots"/> - 1; 0 for interfaces we did not attach to.</summary>
    public uint Slot;
}

/// <summary>
/// What one verdict counter counts: an index into ms_verdict_counters, decoded. Not an ABI
/// struct: the kernel computes the index (MS_VERDICT_COUNTER_INDEX) and this mirrors that.
/// </summary>
public readonly record struct VerdictCounterKey(uint InterfaceSlot, Direction Direction, Verdict Verdict, VerdictReason Reason)
{
    public uint Index => ((InterfaceSlot * 2 + (uint)Direction) * AbiConstants.VerdictCount + (uint)Verdict)
                         * AbiConstants.ReasonCount + (uint)Reason;

    public static VerdictCounterKey FromIndex(uint index)
    {
        var reason = index % AbiConstants.ReasonCount;
        index /= AbiConstants.ReasonCount;
        var verdict = index % AbiConstants.VerdictCount;
        index /= AbiConstants.VerdictCount;
        return new VerdictCounterKey(index / 2, (Direction)(index % 2), (Verdict)verdict, (VerdictReason)reason);
    }

    public override string ToString() => $"slot{InterfaceSlot}/{Direction}/{Verdict}/{Reason}";
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

/// <summary>Mirrors <c>struct ms_rate_limit_state</c>: a remote's (or a CPU's share of the global budget's) event token bucket.</summary>
[MirrorsCStruct("ms_rate_limit_state"), StructLayout(LayoutKind.Sequential)]
public struct RateLimitState
{
    /// <summary>When tokens were last topped up, in ticks of the programs' clock.</summary>
    public ulong Refilled;
    public uint Tokens;
    /// <summary>Unused: denials without an event are summarised (ms_event_summaries).</summary>
    public uint Suppressed;
}
