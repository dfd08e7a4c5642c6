using System.Net;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Evaluation;

/// <summary>
/// What the data plane reads from one packet, in host byte order. An ICMP echo request or reply
/// carries its identifier in both ports; other ICMP messages leave the ports 0.
/// </summary>
/// <param name="Source">Source address.</param>
/// <param name="Destination">Destination address.</param>
/// <param name="Protocol">IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, or any other).</param>
/// <param name="SourcePort">TCP/UDP source port, or the ICMP echo identifier.</param>
/// <param name="DestinationPort">TCP/UDP destination port, or the ICMP echo identifier.</param>
/// <param name="IcmpType">ICMP or ICMPv6 type; ignored for other protocols.</param>
/// <param name="Direction">Arriving (destination is local) or leaving (source is local).</param>
/// <param name="Shape">Whole, malformed, a fragment, or not IP at all.</param>
/// <param name="TcpFlags">TCP flags; ignored for other protocols.</param>
/// <param name="Quote">For an ICMP error, the packet it quotes; null when the error carries no usable quote.</param>
public sealed record PacketFacts(
    IPAddress Source,
    IPAddress Destination,
    byte Protocol,
    ushort SourcePort,
    ushort DestinationPort,
    byte IcmpType,
    Direction Direction,
    PacketShape Shape = PacketShape.Whole,
    TcpFlagBits TcpFlags = 0,
    IcmpQuote? Quote = null)
{
    /// <summary>The IP identification of a fragmented datagram: a later fragment follows the first fragment with the same addresses, protocol and id.</summary>
    public uint FragmentId { get; init; }

    /// <summary>The attached interface the packet arrives on or leaves by; null when unknown (then no interface owns its local address).</summary>
    public string? Interface { get; init; }

    /// <summary>The address on this host: the destination of an arriving packet, the source of a leaving one.</summary>
    public IPAddress LocalAddress => Direction == Direction.Ingress ? Destination : Source;

    /// <summary>The peer's address: the other one.</summary>
    public IPAddress RemoteAddress => Direction == Direction.Ingress ? Source : Destination;
}
