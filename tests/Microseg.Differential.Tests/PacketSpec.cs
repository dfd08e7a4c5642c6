using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Policy.Evaluation;

namespace Microseg.Differential.Tests;

/// <summary>What a generated packet damages or is: a whole packet, or one of the shapes the
/// data plane treats specially.</summary>
public enum SpecShape { Whole, TruncatedTransport, FirstFragment, LaterFragment, Arp }

/// <summary>
/// One generated packet, in the terms both sides understand: the frame for the kernel is
/// built from it, and so are the facts for the reference evaluator.
/// </summary>
public sealed record PacketSpec(
    Direction Direction, string Source, string Destination, byte Protocol,
    ushort SourcePort, ushort DestinationPort, byte IcmpType = 0, TcpFlags Flags = TcpFlags.None,
    SpecShape Shape = SpecShape.Whole, PacketSpec? Quoted = null, uint FragmentId = 0, bool QuoteUsable = true)
{
    public bool IsV6 => IPAddress.Parse(Source).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    public byte[] Frame()
    {
        if (Shape == SpecShape.Arp)
            return FrameEdits.Arp();
        var b = PacketBuilder.Ip(Source, Destination);
        switch (Shape)
        {
            case SpecShape.FirstFragment:
                b.Fragment(0, more: true, id: FragmentId);
                break;
            case SpecShape.LaterFragment:
                return b.Fragment(64, more: false, id: FragmentId).Protocol(Protocol).Payload(32).Build();
        }
        if (Protocol == 6)
            b.Tcp(SourcePort, DestinationPort, Flags);
        else if (Protocol == 17)
            b.Udp(SourcePort, DestinationPort);
        else if (Protocol is 1 or 58 && Quoted is { } quoted)
            // An unusable quote: cut inside the quoted IP header, so its ports cannot be read.
            b.IcmpError(IcmpType, 0, QuoteUsable ? quoted.Frame() : quoted.Frame()[..(14 + 10)]);
        else if (Protocol is 1 or 58)
            b.Icmp(IcmpType, 0, SourcePort);
        else
            b.Protocol(Protocol).Payload(8);
        if (Shape == SpecShape.FirstFragment)
            b.Payload(64);
        var frame = b.Build();
        if (Shape == SpecShape.TruncatedTransport)
            frame = FrameEdits.CutIpPacket(frame, (IsV6 ? 40 : 20) + 3);
        return frame;
    }

    /// <summary>The same flow's packet the other way: from the other side, ports swapped.</summary>
    public PacketSpec Reply() => this with
    {
        Direction = Direction == Direction.Ingress ? Direction.Egress : Direction.Ingress,
        Source = Destination, Destination = Source, SourcePort = DestinationPort, DestinationPort = SourcePort,
    };

    /// <summary>The same packet as the reference evaluator sees it.</summary>
    public PacketFacts Facts() => new(
        IPAddress.Parse(Source), IPAddress.Parse(Destination), Protocol, SourcePort, DestinationPort, IcmpType,
        Direction,
        Shape switch
        {
            SpecShape.TruncatedTransport => PacketShape.Malformed,
            SpecShape.FirstFragment => PacketShape.FirstFragment,
            SpecShape.LaterFragment => PacketShape.LaterFragment,
            SpecShape.Arp => PacketShape.NotIp,
            _ => PacketShape.Whole,
        },
        (TcpFlagBits)Flags,
        Quoted is { } q && QuoteUsable ? new IcmpQuote(IPAddress.Parse(q.Source), IPAddress.Parse(q.Destination), q.Protocol, q.SourcePort, q.DestinationPort) : null)
    {
        FragmentId = FragmentId,
        // BPF_PROG_TEST_RUN runs every packet on lo (KernelProbe.TestRunInterface).
        Interface = KernelProbe.TestRunInterface,
    };

    public override string ToString()
    {
        var what = Protocol switch
        {
            6 => $"tcp {SourcePort}->{DestinationPort} [{Flags}]",
            17 => $"udp {SourcePort}->{DestinationPort}",
            1 or 58 => $"icmp{(Protocol == 58 ? "v6" : "")} type {IcmpType} id {SourcePort}{(Quoted is null ? "" : $" quoting ({Quoted})")}",
            _ => $"protocol {Protocol}",
        };
        return $"{Direction} {Source} -> {Destination} {what}{(Shape == SpecShape.Whole ? "" : $" {Shape}")}";
    }
}
