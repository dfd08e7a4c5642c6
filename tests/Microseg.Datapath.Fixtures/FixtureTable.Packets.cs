using Microseg.Datapath.Abi;
using static Microseg.Datapath.Fixtures.FixtureStep;
using static Microseg.Datapath.Fixtures.FixtureWorld;
using static Microseg.Datapath.Fixtures.FrameEdits;
using static Microseg.Datapath.Fixtures.StandardPolicy;
using E = Microseg.Datapath.Abi.FlowEventKind;
using R = Microseg.Datapath.Abi.VerdictReason;
using V = Microseg.Datapath.Abi.Verdict;

namespace Microseg.Datapath.Fixtures;

public static partial class FixtureTable
{
    private static IEnumerable<DatapathFixture> ParsingRows()
    {
        yield return new() { Name = "802.1Q tagged allowed", Packet = In(P(Api4, Web4).Vlan(100).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "802.1Q tagged denied", Packet = In(P(Api4, Web4).Vlan(100).Tcp(40000, 22)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = ApiSsh, Events = [E.Deny] };
        yield return new() { Name = "802.1ad double tagged allowed", Packet = In(P(Api6, Web6).Vlan(7, 0x88A8).Vlan(100).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "802.1ad double tagged denied", Packet = In(P(Db4, Web4).Vlan(7, 0x88A8).Vlan(100).Udp(40000, 53)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = DbBoundary, Events = [E.Deny] };
        yield return new() { Name = "ipv4 options skipped", Packet = In(P(Api4, Web4).Ipv4Options([1, 1, 1, 0, 0x94, 4, 0, 0]).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "ipv4 maximum options denied port", Packet = In(P(Api4, Web4).Ipv4Options(new byte[40]).Tcp(40000, 22)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = ApiSsh, Events = [E.Deny] };
        yield return new() { Name = "ipv6 hop-by-hop and destination options", Packet = In(P(Api6, Web6).Extension(0).Extension(60, 14).Tcp(40000, 80)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "ipv6 routing and authentication headers", Packet = In(P(Api6, Web6).Extension(43, 22).Extension(51, 10).Tcp(40000, 22)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = ApiSsh, Events = [E.Deny] };
        yield return new() { Name = "ipv6 six extension headers accepted", Packet = In(P(Api6, Web6).Extension(0).Extension(60).Extension(43).Extension(60).Extension(51).Extension(60).Udp(40000, 53)),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyDns, Events = [E.NewFlow] };
        yield return new() { Name = "ipv6 seven extension headers refused", Packet = In(P(Api6, Web6).Extension(0).Extension(60).Extension(43).Extension(60).Extension(51).Extension(60).Extension(60).Udp(40000, 53)),
            Verdict = V.Deny, Reason = R.Malformed };
        yield return new() { Name = "ipv6 no next header", Packet = In(P(Api6, Web6).Protocol(59)),
            Verdict = V.Deny, Reason = R.PolicyDefault, Events = [E.Deny] };
    }

    private static IEnumerable<DatapathFixture> FragmentRows()
    {
        var first4 = P(Api4, Web4).Fragment(0, more: true, id: 0x4242).Udp(40000, 53).Payload(64);
        var later4 = P(Api4, Web4).Fragment(72, more: false, id: 0x4242).Protocol(Udp).Payload(64);
        var firstDenied4 = P(Db4, Web4).Fragment(0, more: true, id: 0x4343).Udp(40000, 53).Payload(64);
        var laterDenied4 = P(Db4, Web4).Fragment(72, more: false, id: 0x4343).Protocol(Udp).Payload(64);
        var first6 = P(Api6, Web6).Fragment(0, more: true, id: 0x77).Tcp(40000, 80).Payload(64);
        var later6 = P(Api6, Web6).Fragment(88, more: false, id: 0x77).Protocol(Tcp).Payload(64);

        yield return new() { Name = "ipv4 first fragment judged by policy", Packet = In(first4),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = AnyDns, Events = [E.NewFlow] };
        yield return new() { Name = "ipv4 later fragment follows an allowed first", Before = [In(first4)], Packet = In(later4),
            Verdict = V.Allow, Reason = R.Fragment, RuleId = AnyDns };
        yield return new() { Name = "ipv4 later fragment follows a denied first", Before = [In(firstDenied4)], Packet = In(laterDenied4),
            Verdict = V.Deny, Reason = R.Fragment, RuleId = DbBoundary };
        yield return new() { Name = "ipv4 later fragment without its first is dropped", Packet = In(later4),
            Verdict = V.Deny, Reason = R.FragmentUntracked };
        yield return new() { Name = "ipv4 later fragment of another datagram is dropped", Before = [In(first4)],
            Packet = In(P(Api4, Web4).Fragment(72, more: false, id: 0x9999).Protocol(Udp).Payload(64)),
            Verdict = V.Deny, Reason = R.FragmentUntracked };
        yield return new() { Name = "later fragment without its first passes in monitor mode",
            Packet = In(P(Api4, Batch4).Fragment(72, more: false, id: 0x4444).Protocol(Udp).Payload(64)),
            Verdict = V.WouldDeny, Reason = R.FragmentUntracked };
        yield return new() { Name = "ipv6 first fragment judged by policy", Packet = In(first6),
            Verdict = V.Allow, Reason = R.PolicyRule, RuleId = ApiHttp, Events = [E.NewFlow] };
        yield return new() { Name = "ipv6 later fragment follows its first", Before = [In(first6)], Packet = In(later6),
            Verdict = V.Allow, Reason = R.Fragment, RuleId = ApiHttp };
        yield return new() { Name = "ipv6 later fragment without its first is dropped", Packet = In(later6),
            Verdict = V.Deny, Reason = R.FragmentUntracked };
        yield return new() { Name = "tiny first fragment without a full tcp header", 
            Packet = In(CutIpPacket(P(Api4, Web4).Fragment(0, more: true, id: 0x4545).Tcp(40000, 80).Build(), 20 + 8)),
            Verdict = V.Deny, Reason = R.Malformed };
    }

    private static IEnumerable<DatapathFixture> MalformedRows()
    {
        var tcp4 = P(Api4, Web4).Tcp(40000, 80).Build();
        var tcp6 = P(Api6, Web6).Tcp(40000, 80).Build();
        var udp4 = P(Api4, Web4).Udp(40000, 53).Build();
        var icmp4 = P(World4, Web4).Icmp(8, 0, 1).Build();
        var ext6 = P(Api6, Web6).Extension(0).Tcp(40000, 80).Build();
        var vlan = P(Api4, Web4).Vlan(100).Tcp(40000, 80).Build();

        // Shorter than an Ethernet header cannot be tested: BPF_PROG_TEST_RUN refuses it (EINVAL).
        yield return Malformed("ethernet header alone", In(Cut(tcp4, Ethernet)));
        yield return Malformed("truncated vlan tag", In(Cut(vlan, 16)));
        yield return Malformed("truncated ipv4 header", In(Cut(tcp4, Ethernet + 12)));
        yield return Malformed("truncated ipv6 header", In(Cut(tcp6, Ethernet + 30)));
        yield return Malformed("truncated tcp header", In(CutIpPacket(tcp4, 20 + 12)));
        yield return Malformed("truncated tcp header ipv6", In(CutIpPacket(tcp6, 40 + 19)));
        yield return Malformed("truncated udp header", In(CutIpPacket(udp4, 20 + 6)));
        yield return Malformed("truncated icmp header", In(CutIpPacket(icmp4, 20 + 4)));
        yield return Malformed("truncated ipv6 extension header", In(CutIpPacket(ext6, 40 + 1)));
        yield return Malformed("ipv4 header length below five words", In(Set(tcp4, Ethernet, 0x44)));
        yield return Malformed("ipv4 header length past the packet", In(Cut(Set(tcp4, Ethernet, 0x4f), Ethernet + 40)));
        yield return Malformed("ipv4 total length past the frame", In(SetUInt16(tcp4, Ethernet + 2, 1500)));
        yield return Malformed("ipv4 total length below the header", In(SetUInt16(tcp4, Ethernet + 2, 12)));
        yield return Malformed("ipv4 version wrong", In(Set(tcp4, Ethernet, 0x55)));
        yield return Malformed("ipv6 payload length past the frame", In(SetUInt16(tcp6, Ethernet + 4, 1400)));
        yield return Malformed("ipv6 extension length past the packet", In(Set(ext6, Ethernet + 40 + 1, 200)));
        yield return Malformed("tcp data offset below five words", In(Set(tcp4, Ethernet + 20 + 12, 0x40)));
        yield return Malformed("udp length below its header", In(SetUInt16(udp4, Ethernet + 20 + 4, 4)));
        yield return new() { Name = "malformed to a monitor endpoint passes", Packet = In(Set(P(Api4, Batch4).Tcp(40000, 80).Build(), Ethernet, 0x44)),
            Verdict = V.WouldDeny, Reason = R.Malformed };
        yield return new() { Name = "malformed to an off endpoint passes", Packet = In(Set(P(Api4, Legacy4).Tcp(40000, 80).Build(), Ethernet, 0x44)),
            Verdict = V.Unenforced, Reason = R.EndpointOff };
        yield return new() { Name = "unattributable junk passes when nothing is enforced",
            Seed = () => Seed(webMode: EndpointMode.Monitor).Unattributed(EndpointMode.Monitor),
            Packet = In(Cut(tcp4, Ethernet + 12)), Verdict = V.WouldDeny, Reason = R.Malformed };
    }

    private static DatapathFixture Malformed(string name, FixtureStep packet) =>
        new() { Name = name, Packet = packet, Verdict = V.Deny, Reason = R.Malformed };

    private static IEnumerable<DatapathFixture> EgressRows()
    {
        yield return new() { Name = "egress default allow opens a flow", Packet = Out(P(Web4, World4).Udp(41000, 123)),
            Verdict = V.Allow, Reason = R.PolicyDefault, Events = [E.NewFlow] };
        yield return new() { Name = "egress deny rule beats default allow", Packet = Out(P(Web4, Db4).Tcp(41000, 5432)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = EgressDbPostgres, Events = [E.Deny] };
        yield return new() { Name = "egress other port to the same remote allowed", Packet = Out(P(Web4, Db4).Tcp(41000, 5433)),
            Verdict = V.Allow, Reason = R.PolicyDefault, Events = [E.NewFlow] };
        yield return new() { Name = "egress vlan tagged deny", Packet = Out(P(Web4, Db4).Vlan(5).Tcp(41000, 5432)),
            Verdict = V.Deny, Reason = R.PolicyRule, RuleId = EgressDbPostgres, Events = [E.Deny] };
        yield return new() { Name = "egress malformed dropped", Packet = Out(CutIpPacket(P(Web4, Db4).Tcp(41000, 80).Build(), 20 + 10)),
            Verdict = V.Deny, Reason = R.Malformed };
        yield return new() { Name = "egress ipv6 default allow", Packet = Out(P(Web6, World6).Tcp(41000, 443)),
            Verdict = V.Allow, Reason = R.PolicyDefault, Events = [E.NewFlow] };
    }
}
