using System.Net;

namespace Microseg.Policy.Evaluation;

/// <summary>One fragmented datagram: its addresses, protocol and IP identification.</summary>
internal readonly record struct FragmentKey(IPAddress Source, IPAddress Destination, byte Protocol, uint Id)
{
    public static FragmentKey Of(PacketFacts p) => new(p.Source, p.Destination, p.Protocol, p.FragmentId);
}
