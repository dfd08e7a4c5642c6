using System.Net;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Evaluation;

/// <summary>A flow, keyed from the local side so that a reply finds the entry its request created.</summary>
internal readonly record struct FlowKey(IPAddress Local, IPAddress Remote, byte Protocol, ushort LocalPort, ushort RemotePort)
{
    public static FlowKey Of(PacketFacts p) => p.Direction == Direction.Ingress
        ? new(p.Destination, p.Source, p.Protocol, p.DestinationPort, p.SourcePort)
        : new(p.Source, p.Destination, p.Protocol, p.SourcePort, p.DestinationPort);

    /// <summary>The flow an ICMP error is about: arriving, the quote is a packet this host sent; leaving, one it received.</summary>
    public static FlowKey OfQuote(IcmpQuote q, Direction direction) => direction == Direction.Ingress
        ? new(q.Source, q.Destination, q.Protocol, q.SourcePort, q.DestinationPort)
        : new(q.Destination, q.Source, q.Protocol, q.DestinationPort, q.SourcePort);

    public override string ToString() =>
        $"{IcmpKinds.ProtocolName(Protocol)} {Local}:{LocalPort} <-> {Remote}:{RemotePort}";
}
