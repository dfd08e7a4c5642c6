using Microseg.Datapath.Abi;
using static Microseg.Datapath.Fixtures.FixtureStep;
using static Microseg.Datapath.Fixtures.FixtureWorld;
using static Microseg.Datapath.Fixtures.StandardPolicy;
using E = Microseg.Datapath.Abi.FlowEventKind;
using R = Microseg.Datapath.Abi.VerdictReason;
using V = Microseg.Datapath.Abi.Verdict;

namespace Microseg.Datapath.Fixtures;

public static partial class FixtureTable
{
    /// <summary>A rule only the revoked-UDP row adds: api may send to web's udp 5000.</summary>
    private const uint ApiUdp5000 = 30;

    private static IEnumerable<DatapathFixture> ConntrackRows()
    {
        yield return new()
        {
            Name = "reply to an outbound connection passes default-deny ingress",
            Before = [Out(P(Web4, World4).Tcp(41000, 443))],
            Packet = In(P(World4, Web4).Tcp(443, 41000, TcpFlags.SynAck)),
            Verdict = V.Allow, Reason = R.Established,
        };
        yield return new()
        {
            Name = "reply to an outbound connection ipv6",
            Before = [Out(P(Web6, World6).Tcp(41000, 443))],
            Packet = In(P(World6, Web6).Tcp(443, 41000, TcpFlags.SynAck)),
            Verdict = V.Allow, Reason = R.Established,
        };
        yield return new()
        {
            Name = "reply to an outbound udp exchange",
            Before = [Out(P(Web4, World4).Udp(41000, 53))],
            Packet = In(P(World4, Web4).Udp(53, 41000)),
            Verdict = V.Allow, Reason = R.Established,
        };
        yield return new()
        {
            Name = "reply to an outbound ping",
            Before = [Out(P(Web4, World4).Icmp(8, 0, 99))],
            Packet = In(P(World4, Web4).Icmp(0, 0, 99)),
            Verdict = V.Allow, Reason = R.Established,
        };
        yield return new()
        {
            Name = "unsolicited echo reply is denied",
            Packet = In(P(World4, Web4).Icmp(0, 0, 99)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny],
        };
        yield return new()
        {
            Name = "established inbound flow keeps its rule",
            Before = [In(P(Api4, Web4).Tcp(40000, 80))],
            Packet = In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.Ack)),
            Verdict = V.Allow, Reason = R.Established, RuleId = ApiHttp,
        };
        yield return new()
        {
            Name = "reply leaving for an allowed inbound flow",
            Before = [In(P(Api4, Web4).Tcp(40000, 80))],
            Packet = Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.SynAck)),
            Verdict = V.Allow, Reason = R.Established, RuleId = ApiHttp,
        };
        yield return new()
        {
            Name = "policy change cuts an established connection",
            Before = [In(P(Api4, Web4).Tcp(40000, 80)), Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.SynAck))],
            ThenApply = () => Seed(withApiHttp: false),
            Packet = In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.Ack)),
            Verdict = V.Deny, Reason = R.PolicyRevoked, Events = [E.FlowEnd],
        };
        yield return new()
        {
            Name = "policy change cuts the reply direction too",
            Before = [In(P(Api4, Web4).Tcp(40000, 80))],
            ThenApply = () => Seed(withApiHttp: false),
            Packet = Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.SynAck)),
            Verdict = V.Deny, Reason = R.PolicyRevoked, Events = [E.FlowEnd],
        };
        yield return new()
        {
            Name = "revoked flow stays cut when the server speaks next",
            // The server's reply revoked the flow; its retransmission, judged as web's egress
            // to api:40000 (allowed by web's egress default), must not admit it again.
            Before = [In(P(Api4, Web4).Tcp(40000, 80)), Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.SynAck))],
            ThenApply = () => Seed(withApiHttp: false),
            AfterApply = [Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.Ack))],
            Packet = Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.Ack)),
            Verdict = V.Deny, Reason = R.PolicyRevoked,
        };
        yield return new()
        {
            Name = "revoked flow stays cut for the client after the server spoke",
            Before = [In(P(Api4, Web4).Tcp(40000, 80)), Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.SynAck))],
            ThenApply = () => Seed(withApiHttp: false),
            AfterApply = [Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.Ack)), Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.Ack))],
            Packet = In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.Ack)),
            Verdict = V.Deny, Reason = R.PolicyRevoked,
        };
        yield return new()
        {
            Name = "revoked udp flow stays cut for the server's reply",
            // UDP has no SYN: without the revoked entry, web's reply would open a new egress flow.
            Seed = () => Seed().Key(Web, Direction.Ingress, Api, Udp).Exact(5000, RuleActionKind.Allow, ApiUdp5000).Done(),
            Before = [In(P(Api4, Web4).Udp(40000, 5000))],
            ThenApply = () => Seed(),
            AfterApply = [In(P(Api4, Web4).Udp(40000, 5000))],
            Packet = Out(P(Web4, Api4).Udp(5000, 40000)),
            Verdict = V.Deny, Reason = R.PolicyRevoked,
        };
        yield return new()
        {
            Name = "server's segment with no entry is judged as the client's connection",
            // No entry (expired, evicted, or from before Microseg): web's ACK to api:40000 may
            // belong to api's connection to web:22, which rule 2 denies.
            Packet = Out(P(Web4, Api4).Tcp(22, 40000, TcpFlags.Ack)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = ApiSsh, Events = [E.Deny],
        };
        yield return new()
        {
            Name = "segment with no entry allowed whichever side opened it is tracked",
            Before = [Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.Ack))],
            Packet = In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.Ack)),
            // Admitted by its first segment's own direction: web's egress default.
            Verdict = V.Allow, Reason = R.Established,
        };
        yield return new()
        {
            Name = "segment with no entry is never let in by the egress default alone",
            Packet = Out(P(Web4, World4).Tcp(9999, 40000, TcpFlags.Ack)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny],
        };
        yield return new()
        {
            Name = "policy change that still allows keeps the connection",
            Before = [In(P(Api4, Web4).Tcp(40000, 80))],
            ThenApply = () => Seed(),
            Packet = In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.Ack)),
            Verdict = V.Allow, Reason = R.Established, RuleId = ApiHttp,
        };
        yield return new()
        {
            Name = "fin both ways ends the flow",
            Before = [In(P(Api4, Web4).Tcp(40000, 80)), Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.SynAck)),
                      In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.FinAck))],
            Packet = Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.FinAck)),
            Verdict = V.Allow, Reason = R.Established, RuleId = ApiHttp, Events = [E.FlowEnd],
        };
        yield return new()
        {
            Name = "rst ends the flow",
            Before = [In(P(Api4, Web4).Tcp(40000, 80))],
            Packet = Out(P(Web4, Api4).Tcp(80, 40000, TcpFlags.RstAck)),
            Verdict = V.Allow, Reason = R.Established, RuleId = ApiHttp, Events = [E.FlowEnd],
        };
        yield return new()
        {
            Name = "stray rst is judged but never tracked",
            Packet = In(P(Api4, Web4).Tcp(40000, 80, TcpFlags.Rst)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp,
        };
        yield return new()
        {
            Name = "conntrack entry past its timeout is not honoured",
            Seed = () => WithStaleOutboundEntry(),
            Packet = In(P(World4, Web4).Tcp(443, 41000, TcpFlags.SynAck)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny],
        };
        yield return new()
        {
            Name = "icmp error about a tracked flow is related",
            Before = [Out(P(Web4, World4).Udp(41000, 53))],
            Packet = In(P(Router4, Web4).IcmpError(3, 3, P(Web4, World4).Udp(41000, 53).Build())),
            Verdict = V.Allow, Reason = R.Related,
        };
        yield return new()
        {
            Name = "icmpv6 packet-too-big about a tracked flow is related",
            Before = [Out(P(Web6, World6).Tcp(41000, 443))],
            Packet = In(P(Router6, Web6).IcmpError(2, 0, P(Web6, World6).Tcp(41000, 443).Build())),
            Verdict = V.Allow, Reason = R.Related,
        };
        yield return new()
        {
            Name = "icmp error about an unknown flow is judged as icmp",
            Packet = In(P(Router4, Web4).IcmpError(3, 3, P(Web4, World4).Udp(41999, 53).Build())),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny],
        };
        yield return new()
        {
            Name = "icmp error about a denied flow is not related",
            Before = [In(P(Api4, Web4).Tcp(40000, 22))],
            Packet = Out(P(Web4, Api4).IcmpError(3, 1, P(Api4, Web4).Tcp(40000, 22).Build())),
            Verdict = V.Allow, Reason = R.PolicyDefault, Events = [],
        };
    }

    private static IEnumerable<DatapathFixture> IcmpErrorAndFragmentFlowRows()
    {
        yield return new()
        {
            Name = "later fragment of a tracked flow follows it",
            Before = [Out(P(Web4, World4).Udp(41000, 53)),
                      In(P(World4, Web4).Fragment(0, more: true, id: 0x5151).Udp(53, 41000).Payload(64))],
            Packet = In(P(World4, Web4).Fragment(72, more: false, id: 0x5151).Protocol(Udp).Payload(64)),
            Verdict = V.Allow, Reason = R.Fragment,
        };
        yield return new()
        {
            Name = "icmp error with an unreadable quote is judged and never tracked",
            Packet = In(P(Router4, Web4).IcmpError(3, 3, P(Web4, World4).Udp(41000, 53).Build()[..(14 + 10)])),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny],
        };
        yield return new()
        {
            Name = "icmp error never matches a flow of its own",
            Before = [Out(P(Web4, World4).Icmp(13))],
            Packet = In(P(World4, Web4).IcmpError(3, 1, P(Web4, World4).Udp(41999, 53).Build())),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny],
        };
    }

    /// <summary>The standard policy plus an outbound flow to world:443 last seen at boot.</summary>
    private static PolicySeed WithStaleOutboundEntry()
    {
        var seed = Seed();
        var key = new ConntrackKey
        {
            LocalAddr = IpAddress16.Parse(Web4), RemoteAddr = IpAddress16.Parse(World4),
            LocalPort = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)41000),
            RemotePort = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)443),
            Protocol = Tcp,
        };
        seed.Conntrack.Add((key, new ConntrackEntry
        {
            LastSeen = 1, Packets = 1, Bytes = 60, Generation = 1, LocalIdentity = Web,
            RemoteIdentity = AbiConstants.IdentityWorld, PolicyPort = 443,
            OriginDirection = Direction.Egress, Verdict = V.Allow, TcpFlagsLocal = (byte)TcpFlags.Syn,
        }));
        return seed;
    }
}
