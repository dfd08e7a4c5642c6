using System.Runtime.InteropServices;

namespace Microseg.Datapath.Abi;

/// <summary>
/// Mirrors <c>struct ms_event_summary_key</c>: the denials without an event of one endpoint,
/// direction, service and reason in one epoch (key of ms_event_summaries; the value is a
/// per-CPU <see cref="TrafficCounter"/>).
/// </summary>
[MirrorsCStruct("ms_event_summary_key"), StructLayout(LayoutKind.Sequential)]
public struct EventSummaryKey
{
    public IpAddress16 LocalAddr;
    public uint LocalIdentity;
    public uint RemoteIdentity;
    /// <summary>Deciding rule; 0 for the endpoint default.</summary>
    public uint RuleId;
    /// <summary>Destination port or ICMP type, host order.</summary>
    public ushort PolicyPort;
    public byte Protocol;
    public Direction Direction;
    public VerdictReason Reason;
    /// <summary><see cref="Verdict.Deny"/> or <see cref="Verdict.WouldDeny"/>.</summary>
    public Verdict Verdict;
    /// <summary>The epoch of <see cref="EventSummaryControl"/> the denials were counted under.</summary>
    public byte Epoch;
    public byte Pad;
}

/// <summary>Mirrors <c>struct ms_event_summary_control</c>: ms_event_summary_control[0].</summary>
[MirrorsCStruct("ms_event_summary_control"), StructLayout(LayoutKind.Sequential)]
public struct EventSummaryControl
{
    /// <summary>0 or 1: the epoch the programs count denials under now.</summary>
    public uint Epoch;
    public uint Pad;
}
