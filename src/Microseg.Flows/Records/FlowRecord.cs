using Microseg.Datapath.Abi;
using Microseg.Policy.Model;

namespace Microseg.Flows.Records;

/// <summary>
/// One flow event, decoded: what the kernel reported, in host byte order, with identities and
/// the deciding rule named. A struct whose only references are names shared with the
/// <see cref="IIdentityNames"/> table, so decoding one allocates nothing.
/// </summary>
public readonly record struct FlowRecord
{
    /// <summary>Wall-clock time of the event (the kernel's coarse monotonic clock, within a few ms).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>New flow (allowed), deny, would-deny or flow end.</summary>
    public FlowEventKind Kind { get; init; }

    /// <summary>The address on this host (the endpoint's).</summary>
    public IpAddress16 LocalAddress { get; init; }

    /// <summary>The peer's address.</summary>
    public IpAddress16 RemoteAddress { get; init; }

    /// <summary>Local TCP/UDP port, or the ICMP echo identifier; host order.</summary>
    public ushort LocalPort { get; init; }

    /// <summary>Remote TCP/UDP port, or the ICMP echo identifier; host order.</summary>
    public ushort RemotePort { get; init; }

    /// <summary>IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, …).</summary>
    public byte Protocol { get; init; }

    /// <summary>Direction of the flow's first packet: ingress when the peer opened it.</summary>
    public Direction Direction { get; init; }

    /// <summary>The local endpoint's kernel identity number.</summary>
    public uint LocalIdentityId { get; init; }

    /// <summary>The local endpoint's identity name.</summary>
    public string LocalIdentity { get; init; }

    /// <summary>The peer's kernel identity number (1 world, 2 host).</summary>
    public uint RemoteIdentityId { get; init; }

    /// <summary>The peer's identity name.</summary>
    public string RemoteIdentity { get; init; }

    /// <summary>The deciding rule's kernel id; 0 for the endpoint default.</summary>
    public uint RuleId { get; init; }

    /// <summary>The deciding rule's name; null for the endpoint default.</summary>
    public string? RuleName { get; init; }

    /// <summary>What happened to the packet.</summary>
    public Verdict Verdict { get; init; }

    /// <summary>The path that produced the verdict.</summary>
    public VerdictReason Reason { get; init; }

    /// <summary>What the policy judged: the destination port (tcp/udp) or ICMP type of the flow's first packet.</summary>
    public ushort PolicyPort { get; init; }

    /// <summary>TCP flags of the packet (for flow end, both sides' ORed).</summary>
    public byte TcpFlags { get; init; }

    /// <summary>Flow end: the flow's packets; otherwise 1.</summary>
    public ulong Packets { get; init; }

    /// <summary>Flow end: the flow's bytes; otherwise this packet's.</summary>
    public ulong Bytes { get; init; }

    /// <summary>Deny events from this remote the kernel's rate limit dropped since the previous delivered one.</summary>
    public uint Suppressed { get; init; }

    /// <summary>The policy generation that judged the packet.</summary>
    public uint PolicyGeneration { get; init; }

    /// <summary>The interface the packet crossed.</summary>
    public uint Ifindex { get; init; }

    /// <summary>
    /// The local service the flow belongs to: the systemd unit (<c>nginx.service</c>) of the socket's
    /// cgroup, or the cgroup's path outside any unit; null when it could not be told (no socket,
    /// closed before it was looked up, not tcp/udp, a flow end). Named by the daemon from the
    /// kernel's socket table after the event (docs/flows.md, "Local unit").
    /// </summary>
    public string? LocalUnit { get; init; }

    /// <summary>
    /// True for the first packet of a flow judged by the policy (a rule or a default decided):
    /// what discovery, simulation and lint count. Flow ends and unjudged packets are not.
    /// </summary>
    public bool IsJudgedFlow =>
        Kind != FlowEventKind.FlowEnd &&
        Reason is VerdictReason.PolicyRule or VerdictReason.PolicyDefault or VerdictReason.PolicyRevoked;

    /// <summary>The identity that opened the flow.</summary>
    public string From => Direction == Direction.Ingress ? RemoteIdentity : LocalIdentity;

    /// <summary>The identity the flow was opened to.</summary>
    public string To => Direction == Direction.Ingress ? LocalIdentity : RemoteIdentity;
}
