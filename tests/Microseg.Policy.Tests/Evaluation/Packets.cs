using System.Net;
using Microseg.Policy.Evaluation;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>Packet facts as the tests write them: addresses as strings, replies by swapping.</summary>
internal static class Packets
{
    public const Direction In = Direction.Ingress;
    public const Direction Out = Direction.Egress;

    public static PacketFacts Tcp(string from, string to, ushort port, Direction direction, TcpFlagBits flags = TcpFlagBits.Syn, ushort sourcePort = 40000) =>
        new(IPAddress.Parse(from), IPAddress.Parse(to), 6, sourcePort, port, 0, direction, TcpFlags: flags);

    public static PacketFacts Udp(string from, string to, ushort port, Direction direction, ushort sourcePort = 40000) =>
        new(IPAddress.Parse(from), IPAddress.Parse(to), 17, sourcePort, port, 0, direction);

    /// <summary>ICMP (or ICMPv6 for IPv6 addresses) of <paramref name="type"/>; an echo carries <paramref name="id"/> in both ports.</summary>
    public static PacketFacts Icmp(string from, string to, byte type, Direction direction, ushort id = 0)
    {
        IPAddress source = IPAddress.Parse(from);
        byte protocol = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? (byte)58 : (byte)1;
        return new(source, IPAddress.Parse(to), protocol, id, id, type, direction);
    }

    public static PacketFacts Other(string from, string to, byte protocol, Direction direction) =>
        new(IPAddress.Parse(from), IPAddress.Parse(to), protocol, 0, 0, 0, direction);

    /// <summary>The reply to <paramref name="p"/>: addresses and ports swapped, the other direction.</summary>
    public static PacketFacts Reply(PacketFacts p, TcpFlagBits flags = TcpFlagBits.Syn | TcpFlagBits.Ack, byte? icmpType = null) =>
        p with
        {
            Source = p.Destination,
            Destination = p.Source,
            SourcePort = p.DestinationPort,
            DestinationPort = p.SourcePort,
            Direction = p.Direction == In ? Out : In,
            TcpFlags = p.Protocol == 6 ? flags : 0,
            IcmpType = icmpType ?? p.IcmpType,
        };

    /// <summary>A later packet of the same flow in the same direction (an ACK for TCP).</summary>
    public static PacketFacts Next(PacketFacts p, TcpFlagBits flags = TcpFlagBits.Ack) => p with { TcpFlags = p.Protocol == 6 ? flags : 0 };

    /// <summary>An ICMP error of <paramref name="type"/> from <paramref name="from"/> to <paramref name="to"/> quoting <paramref name="quoted"/>.</summary>
    public static PacketFacts IcmpError(string from, string to, byte type, Direction direction, PacketFacts quoted) =>
        Icmp(from, to, type, direction) with
        {
            Quote = new IcmpQuote(quoted.Source, quoted.Destination, quoted.Protocol, quoted.SourcePort, quoted.DestinationPort),
        };
}
