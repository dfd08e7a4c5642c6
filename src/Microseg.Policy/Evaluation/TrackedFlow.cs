using Microseg.Datapath.Abi;
namespace Microseg.Policy.Evaluation;

/// <summary>
/// The evaluator's conntrack entry: how a flow was judged, under which policy generation, and the
/// facts of its first packet (a policy change judges the flow again as if that packet opened it).
/// </summary>
internal sealed class TrackedFlow(Direction originDirection, ushort originPort, byte originIcmpType, bool openerKnown = true)
{
    /// <summary>
    /// False for a TCP flow picked up mid-stream (its first packet seen was not a SYN): either side
    /// may have opened it, so every judgement asks whether it is allowed whichever side did.
    /// </summary>
    public bool OpenerKnown { get; } = openerKnown;

    /// <summary>Direction of the packet that opened the flow.</summary>
    public Direction OriginDirection { get; } = originDirection;

    /// <summary>Destination port of the opening packet (TCP/UDP).</summary>
    public ushort OriginPort { get; } = originPort;

    /// <summary>ICMP type of the opening packet (ICMP/ICMPv6).</summary>
    public byte OriginIcmpType { get; } = originIcmpType;

    /// <summary>
    /// <see cref="Verdict.Allow"/>; in monitor mode <see cref="Verdict.WouldDeny"/>;
    /// <see cref="Verdict.Deny"/> once a policy change revoked it (every later packet, either direction, is dropped).
    /// </summary>
    public Verdict Outcome { get; set; }

    /// <summary>The policy generation the flow was last judged under.</summary>
    public int Generation { get; set; }

    /// <summary>The decision that admitted it.</summary>
    public PolicyDecision Decision { get; set; } = null!;
}
