using System.Net;
using Microseg.Policy.Evaluation;
using Microseg.Datapath.Abi;
using static Microseg.Datapath.Abi.VerdictReason;
using static Microseg.Datapath.Abi.Verdict;
using static Microseg.Policy.Tests.Evaluation.Packets;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>Modes, unjudged addresses, malformed packets, fragments, neighbor discovery and non-IP frames.</summary>
public sealed class PacketShapeTests
{
    // web enforces, reporting monitors, legacy is off; all default-deny ingress.
    private const string Policy = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - {name: web, labels: {app: web}, addresses: [10.0.1.10, "2001:db8::10"]}
          - {name: reporting, labels: {app: reporting}, addresses: [10.0.1.20]}
          - {name: legacy, labels: {app: legacy}, addresses: [10.0.1.30]}
        endpoints:
          - {identity: web, addresses: [10.0.1.10, "2001:db8::10"]}
          - {identity: reporting, addresses: [10.0.1.20], mode: monitor}
          - {identity: legacy, addresses: [10.0.1.30], mode: off}
        management:
          - {name: ssh, from: [192.0.2.0/24]}
        rules:
          - {name: dns-in, action: allow, direction: ingress, local: {any: true}, peer: {any: true}, protocol: udp, ports: [53]}
        """;

    private readonly ReferenceEvaluator _evaluator = Policies.Evaluator(Policy);

    [Theory]
    [InlineData("10.0.1.10", Deny, PolicyDefault)]
    [InlineData("10.0.1.20", WouldDeny, PolicyDefault)]
    [InlineData("10.0.1.30", Unenforced, EndpointOff)]
    [InlineData("10.0.1.99", Unenforced, EndpointOff)] // no endpoint lists it
    public void Modes_apply_the_verdict(string to, Verdict outcome, VerdictReason reason)
    {
        Policies.Expect(_evaluator.Judge(Tcp("198.51.100.1", to, 80, In)), outcome, reason);
        Assert.Equal(0, _evaluator.TrackedFlowCount - (outcome == WouldDeny ? 1 : 0));
    }

    [Fact]
    public void Mode_off_passes_even_management_unjudged_and_tracks_nothing()
    {
        Judgement j = _evaluator.Judge(Tcp("192.0.2.5", "10.0.1.30", 22, In));

        Policies.Expect(j, Unenforced, EndpointOff);
        Assert.Contains("whose mode is off", j.Explanation);
        Assert.Equal(0, _evaluator.TrackedFlowCount);
    }

    [Theory]
    [InlineData("10.0.1.10", Deny, Malformed)]
    [InlineData("10.0.1.20", WouldDeny, Malformed)]
    [InlineData("10.0.1.30", Unenforced, EndpointOff)]
    [InlineData("10.0.1.99", Unenforced, EndpointOff)]
    public void Malformed_packets(string to, Verdict outcome, VerdictReason reason)
    {
        // Even to an allowed port: a malformed packet cannot be judged by the rules.
        Policies.Expect(_evaluator.Judge(Udp("198.51.100.1", to, 53, In) with { Shape = PacketShape.Malformed }), outcome, reason);
    }

    [Fact]
    public void A_malformed_packet_of_a_tracked_flow_is_still_malformed()
    {
        PacketFacts query = Udp("10.0.1.10", "198.51.100.1", 53, Out);
        _evaluator.Judge(query);

        Policies.Expect(_evaluator.Judge(Reply(query) with { Shape = PacketShape.Malformed }), Deny, Malformed);
    }

    [Theory]
    [InlineData(133)]
    [InlineData(135)]
    [InlineData(136)]
    [InlineData(137)]
    public void Neighbor_discovery_always_passes(byte type)
    {
        Judgement j = _evaluator.Judge(Icmp("fe80::1", "2001:db8::10", type, In));

        Policies.Expect(j, Unenforced, NeighborDiscovery);
    }

    [Theory]
    [InlineData(58, 128)]  // echo request is not neighbor discovery
    [InlineData(58, 138)]
    [InlineData(17, 135)]  // nor is a UDP packet whatever its "type"
    public void Other_packets_are_not_neighbor_discovery(byte protocol, byte type)
    {
        var packet = new PacketFacts(IPAddress.Parse("fe80::1"), IPAddress.Parse("2001:db8::10"), protocol, 0, 0, type, In);

        Policies.Expect(_evaluator.Judge(packet), Deny, PolicyDefault);
    }

    [Fact]
    public void Non_ip_frames_pass()
    {
        var arp = new PacketFacts(IPAddress.Any, IPAddress.Any, 0, 0, 0, 0, In, PacketShape.NotIp);

        Policies.Expect(_evaluator.Judge(arp), Unenforced, NotIp);
    }

    [Fact]
    public void Later_fragments_follow_an_allowed_first_fragment()
    {
        PacketFacts first = Udp("198.51.100.1", "10.0.1.10", 53, In) with { Shape = PacketShape.FirstFragment, FragmentId = 9 };

        Policies.Expect(_evaluator.Judge(first), Allow, PolicyRule, "dns-in");
        PacketFacts later = first with { Shape = PacketShape.LaterFragment, SourcePort = 0, DestinationPort = 0 };
        Policies.Expect(_evaluator.Judge(later), Allow, Fragment, "dns-in", "rule");
        Policies.Expect(_evaluator.Judge(later), Allow, Fragment, "dns-in");
    }

    [Fact]
    public void Later_fragments_follow_a_denied_first_fragment()
    {
        PacketFacts first = Udp("198.51.100.1", "10.0.1.10", 54, In) with { Shape = PacketShape.FirstFragment, FragmentId = 9 };

        Policies.Expect(_evaluator.Judge(first), Deny, PolicyDefault);
        Policies.Expect(_evaluator.Judge(first with { Shape = PacketShape.LaterFragment }), Deny, Fragment);
    }

    [Fact]
    public void Later_fragments_follow_a_first_fragment_that_belonged_to_a_tracked_flow()
    {
        PacketFacts query = Udp("10.0.1.10", "198.51.100.1", 53, Out);
        _evaluator.Judge(query);
        PacketFacts first = Reply(query) with { Shape = PacketShape.FirstFragment, FragmentId = 4 };

        Policies.Expect(_evaluator.Judge(first), Allow, Established);
        Policies.Expect(_evaluator.Judge(first with { Shape = PacketShape.LaterFragment }), Allow, Fragment);
    }

    [Theory]
    [InlineData("10.0.1.10", Deny, FragmentUntracked)]
    [InlineData("10.0.1.20", WouldDeny, FragmentUntracked)]
    [InlineData("10.0.1.30", Unenforced, EndpointOff)]
    public void A_later_fragment_whose_first_was_not_seen(string to, Verdict outcome, VerdictReason reason)
    {
        // Another datagram's first fragment (another id) does not count.
        _evaluator.Judge(Udp("198.51.100.1", to, 53, In) with { Shape = PacketShape.FirstFragment, FragmentId = 1 });

        PacketFacts later = Udp("198.51.100.1", to, 0, In, sourcePort: 0) with { Shape = PacketShape.LaterFragment, FragmentId = 2 };

        Policies.Expect(_evaluator.Judge(later), outcome, reason);
    }

    [Fact]
    public void Every_explanation_names_the_endpoint_the_peer_and_the_mode()
    {
        Judgement j = _evaluator.Judge(Udp("198.51.100.1", "10.0.1.20", 53, In));

        Assert.Contains("The local address 10.0.1.20 (the destination of this arriving packet) is endpoint 'reporting' (mode monitor).", j.Explanation);
        Assert.Contains("Peer 198.51.100.1 is 'world'", j.Explanation);
        Assert.Contains("Allow rule 'dns-in' (p.yaml:", j.Explanation);
        Assert.Equal(("reporting", "world", EndpointMode.Monitor), (j.LocalIdentity, j.PeerIdentity, j.Mode));
    }
}
