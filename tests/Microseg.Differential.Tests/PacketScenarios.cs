using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;

namespace Microseg.Differential.Tests;

/// <summary>
/// Random packets for one policy: mostly first packets of flows between local endpoints and
/// every kind of peer, often followed by their replies and later packets (so conntrack is
/// exercised), and now and then ICMP errors, stray ACKs and RSTs, malformed packets,
/// fragments, neighbor discovery, ARP, other protocols and local addresses of no endpoint.
/// </summary>
public sealed class PacketScenarios(RandomPolicy policy, Random random)
{
    private static readonly byte[] OtherProtocols = [47, 132];
    private readonly List<PacketSpec> _opened = [];
    private uint _fragmentId = 1;

    /// <summary>The next few packets: one scenario, 1 to 5 packets long.</summary>
    public IEnumerable<PacketSpec> Next()
    {
        var (local, remote) = Pair();
        var ingress = random.Next(2) == 0;
        var v6 = IPAddress.Parse(local).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var (src, dst) = ingress ? (remote, local) : (local, remote);
        var direction = ingress ? Direction.Ingress : Direction.Egress;
        var back = ingress ? Direction.Egress : Direction.Ingress;
        var sport = (ushort)(30000 + random.Next(20000));
        var dport = random.Next(3) == 0 ? (ushort)(1 + random.Next(65535)) : RandomPolicy.InterestingPorts[random.Next(RandomPolicy.InterestingPorts.Length)];
        if (random.Next(4) == 0)
            dport = (ushort)(8000 + random.Next(1000));

        switch (random.Next(25))
        {
            case 22:
            {
                // A UDP exchange whose reply comes back fragmented: the fragments belong to
                // a tracked flow and must follow it.
                var request = new PacketSpec(direction, src, dst, 17, sport, dport);
                _opened.Add(request);
                yield return request;
                var id = _fragmentId++;
                yield return new PacketSpec(back, dst, src, 17, dport, sport, Shape: SpecShape.FirstFragment, FragmentId: id);
                yield return new PacketSpec(back, dst, src, 17, 0, 0, Shape: SpecShape.LaterFragment, FragmentId: id);
                break;
            }
            case 23:
            {
                // ICMP errors whose quote cannot be read: judged as errors, never a flow.
                var quoted = new PacketSpec(back, dst, src, 17, dport, sport);
                byte protocol = v6 ? (byte)58 : (byte)1, type = v6 ? (byte)1 : (byte)3;
                yield return new PacketSpec(direction, src, dst, protocol, 0, 0, type, Quoted: quoted, QuoteUsable: false);
                yield return new PacketSpec(direction, src, dst, protocol, 0, 0, type, Quoted: quoted, QuoteUsable: false);
                break;
            }
            case 24:
            {
                // A plain ICMP message (timestamp, or an unassigned ICMPv6 type) opens a flow
                // with no ports; an ICMP error between the same hosts is still an error.
                byte protocol = v6 ? (byte)58 : (byte)1;
                yield return new PacketSpec(direction, src, dst, protocol, 0, 0, v6 ? (byte)150 : (byte)13);
                var stranger = new PacketSpec(back, dst, src, 17, (ushort)(dport + 1), sport);
                yield return new PacketSpec(direction, src, dst, protocol, 0, 0, v6 ? (byte)1 : (byte)3, Quoted: stranger);
                break;
            }
            case >= 20 when _opened.Count > 0:
            {
                // A later packet of an earlier flow, from the side that opened it or from the
                // other: after a policy change either one judges the flow again, as the
                // connection it is; once revoked, neither side gets through.
                var flow = _opened[random.Next(_opened.Count)];
                var later = flow with { Flags = flow.Protocol == 6 ? TcpFlags.Ack : TcpFlags.None };
                var first = random.Next(2) == 0 ? later : later.Reply();
                yield return first;
                if (random.Next(2) == 0)
                    yield return first.Reply();
                break;
            }
            case < 7:
            {
                var syn = new PacketSpec(direction, src, dst, 6, sport, dport, Flags: TcpFlags.Syn);
                _opened.Add(syn);
                yield return syn;
                if (random.Next(3) != 0)
                {
                    yield return new PacketSpec(back, dst, src, 6, dport, sport, Flags: TcpFlags.SynAck);
                    yield return new PacketSpec(direction, src, dst, 6, sport, dport, Flags: TcpFlags.Ack);
                }
                if (random.Next(3) == 0)
                {
                    yield return new PacketSpec(direction, src, dst, 6, sport, dport, Flags: TcpFlags.FinAck);
                    yield return new PacketSpec(back, dst, src, 6, dport, sport, Flags: random.Next(2) == 0 ? TcpFlags.FinAck : TcpFlags.RstAck);
                }
                break;
            }
            case < 10:
            {
                var request = new PacketSpec(direction, src, dst, 17, sport, dport);
                _opened.Add(request);
                yield return request;
                if (random.Next(2) == 0)
                    yield return new PacketSpec(back, dst, src, 17, dport, sport);
                break;
            }
            case < 12:
            {
                byte request = v6 ? (byte)128 : (byte)8, reply = v6 ? (byte)129 : (byte)0;
                yield return new PacketSpec(direction, src, dst, v6 ? (byte)58 : (byte)1, sport, sport, request);
                if (random.Next(2) == 0)
                    yield return new PacketSpec(back, dst, src, v6 ? (byte)58 : (byte)1, sport, sport, reply);
                break;
            }
            case 12 when _opened.Count > 0:
            {
                // An ICMP error about an earlier flow, sent back toward its sender.
                var quoted = _opened[random.Next(_opened.Count)];
                var quotedV6 = quoted.IsV6;
                var errorDirection = quoted.Direction == Direction.Egress ? Direction.Ingress : Direction.Egress;
                var router = quotedV6 ? "2001:db8:ffff::1" : "198.51.100.1";
                var (eSrc, eDst) = errorDirection == Direction.Ingress ? (router, quoted.Source) : (quoted.Destination, quoted.Source);
                yield return new PacketSpec(errorDirection, eSrc, eDst, quotedV6 ? (byte)58 : (byte)1, 0, 0,
                    quotedV6 ? (byte)1 : (byte)3, Quoted: quoted);
                break;
            }
            case 13:
                yield return new PacketSpec(direction, src, dst, 6, sport, dport, Flags: random.Next(2) == 0 ? TcpFlags.Ack : TcpFlags.Rst);
                break;
            case 14:
                yield return new PacketSpec(direction, src, dst, 6, sport, dport, Flags: TcpFlags.Syn, Shape: SpecShape.TruncatedTransport);
                break;
            case 15:
            {
                var id = _fragmentId++;
                if (random.Next(3) != 0)
                    yield return new PacketSpec(direction, src, dst, 17, sport, dport, Shape: SpecShape.FirstFragment, FragmentId: id);
                yield return new PacketSpec(direction, src, dst, 17, 0, 0, Shape: SpecShape.LaterFragment, FragmentId: id);
                break;
            }
            case 16 when v6:
                yield return new PacketSpec(direction, src, dst, 58, 0, 0, (byte)(133 + random.Next(5)));
                break;
            case 17:
                yield return new PacketSpec(direction, src, dst, OtherProtocols[random.Next(OtherProtocols.Length)], 0, 0);
                break;
            case 18:
                yield return new PacketSpec(direction, src, dst, 0, 0, 0, Shape: SpecShape.Arp);
                break;
            case 19:
            default:
            {
                // A local address no endpoint lists.
                var stranger = v6 ? "fd99::ee" : "10.99.250.1";
                var (s, d) = ingress ? (remote, stranger) : (stranger, remote);
                yield return new PacketSpec(direction, s, d, 6, sport, dport, Flags: TcpFlags.Syn);
                break;
            }
        }
    }

    // A local endpoint address and a remote of the same family.
    private (string Local, string Remote) Pair()
    {
        var local = policy.LocalAddresses[random.Next(policy.LocalAddresses.Count)];
        var family = IPAddress.Parse(local).AddressFamily;
        var candidates = policy.RemoteAddresses.Concat(policy.LocalAddresses)
            .Where(a => a != local && IPAddress.Parse(a).AddressFamily == family).ToList();
        return (local, candidates[random.Next(candidates.Count)]);
    }
}
