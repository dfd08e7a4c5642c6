using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Flows.Discovery;
using Microseg.Flows.Records;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;

namespace Microseg.Flows.Replay;

/// <summary>
/// Recorded flows as the first packets the reference evaluator judges. Each is judged alone, as a
/// flow's opening packet (a TCP SYN), with no flow tracked: what the policy says about the flow,
/// not about its later packets.
/// </summary>
public static class FlowReplay
{
    /// <summary>Source port given to a replayed packet when the recording kept none (rules match destination ports only).</summary>
    public const ushort EphemeralPort = 40000;

    /// <summary>The first packet of the flow <paramref name="record"/> reports.</summary>
    public static PacketFacts FirstPacket(in FlowRecord record) =>
        Packet(record.LocalAddress.ToIPAddress(), record.RemoteAddress.ToIPAddress(), record.Direction, record.Protocol, record.PolicyPort,
            record.Direction == Direction.Ingress ? record.RemotePort : record.LocalPort);

    /// <summary>The first packet of a flow of <paramref name="edge"/> between the addresses of <paramref name="sample"/>.</summary>
    public static PacketFacts FirstPacket(EdgeKey edge, AddressPair sample) =>
        Packet(sample.Local.ToIPAddress(), sample.Remote.ToIPAddress(), edge.Direction, edge.Protocol, edge.Port, EphemeralPort);

    private static PacketFacts Packet(IPAddress local, IPAddress remote, Direction direction, byte protocol, ushort policyPort, ushort sourcePort)
    {
        bool ingress = direction == Direction.Ingress;
        bool icmp = FlowText.IsIcmp(protocol);
        return new PacketFacts(
            Source: ingress ? remote : local,
            Destination: ingress ? local : remote,
            Protocol: protocol,
            SourcePort: icmp ? (ushort)0 : sourcePort,
            DestinationPort: icmp ? (ushort)0 : policyPort,
            IcmpType: icmp ? (byte)policyPort : (byte)0,
            Direction: ingress ? Direction.Ingress : Direction.Egress,
            TcpFlags: protocol == FlowText.Tcp ? TcpFlagBits.Syn : TcpFlagBits.None);
    }

    /// <summary>Judges <paramref name="packet"/> as a new flow: the evaluator forgets every flow first.</summary>
    public static Judgement JudgeAlone(ReferenceEvaluator evaluator, PacketFacts packet)
    {
        evaluator.ForgetFlows();
        return evaluator.Judge(packet);
    }

    /// <summary>True when the verdict (recorded, or the evaluator's) blocks the flow once enforced: deny, or would deny in monitor mode.</summary>
    public static bool Blocks(Verdict verdict) => verdict is Verdict.Deny or Verdict.WouldDeny;
}
