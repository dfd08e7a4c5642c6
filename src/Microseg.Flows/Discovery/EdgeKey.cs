using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Discovery;

/// <summary>
/// What makes two flows the same edge: seen at the same local identity, with the same peer
/// identity (or world group), the same direction of the first packet, protocol, and policy port
/// (destination port for tcp/udp, ICMP type for icmp/icmpv6, 0 for other protocols).
/// </summary>
/// <param name="Local">The endpoint's identity, where the flow was seen.</param>
/// <param name="Peer">The remote identity, or a world group such as <c>world:203.0.113.0/24</c>.</param>
/// <param name="Direction">Ingress: the peer opened the flow; egress: the endpoint did.</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Port">Destination port or ICMP type.</param>
public readonly record struct EdgeKey(string Local, string Peer, Direction Direction, byte Protocol, ushort Port)
{
    /// <summary>The identity that opened the flows.</summary>
    public string From => Direction == Direction.Ingress ? Peer : Local;

    /// <summary>The identity the flows were opened to.</summary>
    public string To => Direction == Direction.Ingress ? Local : Peer;

    /// <summary>"tcp/443", "icmp type 8".</summary>
    public string Service => FlowText.Service(Protocol, Port);
}
