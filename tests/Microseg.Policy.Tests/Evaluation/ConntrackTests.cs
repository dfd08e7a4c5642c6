using Microseg.Policy.Evaluation;
using static Microseg.Datapath.Abi.VerdictReason;
using static Microseg.Datapath.Abi.Verdict;
using static Microseg.Policy.Tests.Evaluation.Packets;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>Sequences of packets: replies, SYNs judged afresh, RSTs, ICMP echo and errors, monitor mode.</summary>
public sealed class ConntrackTests
{
    // web enforces default-deny ingress, default-allow egress; https in; reporting monitors.
    internal const string Policy = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - {name: web, labels: {app: web}, addresses: [10.0.1.10, "2001:db8::10"]}
          - {name: reporting, labels: {app: reporting}, addresses: [10.0.1.20]}
        endpoints:
          - {identity: web, addresses: [10.0.1.10, "2001:db8::10"]}
          - {identity: reporting, addresses: [10.0.1.20], mode: monitor}
        management: []
        rules:
          - {name: https-in, action: allow, direction: ingress, local: {identity: web}, peer: {any: true}, protocol: tcp, ports: [443]}
          - {name: no-smtp-out, action: deny, direction: egress, local: {any: true}, peer: {any: true}, protocol: tcp, ports: [25]}
        """;

    private readonly ReferenceEvaluator _evaluator = Policies.Evaluator(Policy);

    [Fact]
    public void The_reply_to_an_outbound_connection_passes_a_default_deny_ingress()
    {
        PacketFacts syn = Tcp("10.0.1.10", "198.51.100.1", 80, Out);

        Policies.Expect(_evaluator.Judge(syn), Allow, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Reply(syn)), Allow, Established);
        Policies.Expect(_evaluator.Judge(Next(syn)), Allow, Established);
        Policies.Expect(_evaluator.Judge(Reply(syn, TcpFlagBits.Ack | TcpFlagBits.Fin)), Allow, Established);
        Assert.Equal(1, _evaluator.TrackedFlowCount);
    }

    [Fact]
    public void An_allowed_inbound_flow_carries_its_rule_on_every_packet()
    {
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);

        Policies.Expect(_evaluator.Judge(syn), Allow, PolicyRule, "https-in");
        Judgement reply = _evaluator.Judge(Reply(syn));
        Policies.Expect(reply, Allow, Established, "https-in", "rule");
        Assert.Contains("follows that verdict without consulting the rules", reply.Explanation);
    }

    /// <summary>
    /// A TCP segment other than a SYN with no flow tracked: it belongs to a connection one of the
    /// two sides opened, and nothing says which, so it passes only if either opening is allowed.
    /// </summary>
    [Fact]
    public void A_mid_stream_segment_with_no_flow_passes_only_if_allowed_whichever_side_opened_it()
    {
        // web -> client:40000 is allowed (egress default), client -> web:80 is not (ingress default).
        Judgement j = _evaluator.Judge(Tcp("10.0.1.10", "198.51.100.1", 40000, Out, TcpFlagBits.Ack, sourcePort: 80));
        Policies.Expect(j, Deny, PolicyDefault);
        Assert.Contains("judged as the other side opening it (ingress tcp port 80)", j.Explanation);
        Assert.Equal(0, _evaluator.TrackedFlowCount);

        // Both openings allowed (https-in, and the egress default): passes, and is tracked.
        PacketFacts segment = Tcp("10.0.1.10", "198.51.100.1", 40000, Out, TcpFlagBits.Ack, sourcePort: 443);
        Policies.Expect(_evaluator.Judge(segment), Allow, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Reply(segment, TcpFlagBits.Ack)), Allow, Established);
        Assert.Equal(1, _evaluator.TrackedFlowCount);
    }

    [Fact]
    public void A_denied_flow_is_not_tracked_so_its_next_packet_is_judged_again()
    {
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 80, In);

        Policies.Expect(_evaluator.Judge(syn), Deny, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Next(syn)), Deny, PolicyDefault);
        Assert.Equal(0, _evaluator.TrackedFlowCount);
    }

    [Fact]
    public void A_packet_whose_flow_was_never_seen_is_judged_in_its_own_direction()
    {
        // An inbound SYN-ACK from port 80 to 40000 with no outbound SYN before it: default-deny ingress.
        Policies.Expect(_evaluator.Judge(Tcp("198.51.100.1", "10.0.1.10", 40000, In, TcpFlagBits.Syn | TcpFlagBits.Ack, sourcePort: 80)), Deny, PolicyDefault);
    }

    [Fact]
    public void A_syn_is_always_judged_afresh()
    {
        PacketFacts syn = Tcp("10.0.1.10", "198.51.100.1", 80, Out);
        _evaluator.Judge(syn);

        Judgement again = _evaluator.Judge(syn);

        Policies.Expect(again, Allow, PolicyDefault);
        Assert.Contains("A TCP SYN opens its flow afresh", again.Explanation);
        // The remote opening a connection from the same ports is a SYN too: judged, and denied inbound.
        Policies.Expect(_evaluator.Judge(Reply(syn, TcpFlagBits.Syn)), Deny, PolicyDefault);
    }

    [Fact]
    public void A_rst_of_no_known_flow_is_judged_and_never_tracked()
    {
        // From web's port 443: allowed whichever side opened its connection (https-in, egress default).
        PacketFacts rst = Tcp("10.0.1.10", "198.51.100.1", 80, Out, TcpFlagBits.Rst, sourcePort: 443);

        Judgement j = _evaluator.Judge(rst);

        Policies.Expect(j, Allow, PolicyDefault);
        Assert.Equal(0, _evaluator.TrackedFlowCount);
        Policies.Expect(_evaluator.Judge(rst), Allow, PolicyDefault);
        // From an ephemeral port, the peer opening it (ingress to 40000) is denied.
        Policies.Expect(_evaluator.Judge(rst with { SourcePort = 40000 }), Deny, PolicyDefault);
    }

    [Fact]
    public void A_rst_of_a_known_flow_follows_it()
    {
        PacketFacts syn = Tcp("10.0.1.10", "198.51.100.1", 80, Out);
        _evaluator.Judge(syn);

        Policies.Expect(_evaluator.Judge(Reply(syn, TcpFlagBits.Rst)), Allow, Established);
    }

    [Fact]
    public void Echo_request_and_reply_are_one_flow_by_identifier()
    {
        PacketFacts ping = Icmp("10.0.1.10", "198.51.100.1", 8, Out, id: 77);

        Policies.Expect(_evaluator.Judge(ping), Allow, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Reply(ping, icmpType: 0)), Allow, Established);
        // Another identifier is another flow: an unsolicited echo reply inbound.
        Policies.Expect(_evaluator.Judge(Icmp("198.51.100.1", "10.0.1.10", 0, In, id: 78)), Deny, PolicyDefault);
    }

    [Fact]
    public void Icmpv6_echo_works_the_same()
    {
        PacketFacts ping = Icmp("2001:db8::10", "2001:db8:ff::1", 128, Out, id: 5);

        Policies.Expect(_evaluator.Judge(ping), Allow, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Reply(ping, icmpType: 129)), Allow, Established);
    }

    [Fact]
    public void An_icmp_error_about_an_allowed_flow_is_related()
    {
        PacketFacts query = Udp("10.0.1.10", "198.51.100.1", 53, Out);
        _evaluator.Judge(query);

        Judgement j = _evaluator.Judge(IcmpError("192.0.2.1", "10.0.1.10", 3, In, quoted: query));

        Policies.Expect(j, Allow, Related);
        Assert.Equal(1, _evaluator.TrackedFlowCount);
    }

    [Fact]
    public void An_icmp_error_quoting_a_reply_is_related_to_its_flow()
    {
        PacketFacts syn = Tcp("198.51.100.9", "10.0.1.10", 443, In);
        _evaluator.Judge(syn);

        // web's reply was too big for a router: the error quotes the reply, a packet web sent.
        Judgement j = _evaluator.Judge(IcmpError("192.0.2.1", "10.0.1.10", 3, In, quoted: Reply(syn)));

        Policies.Expect(j, Allow, Related, "https-in", "rule");
    }

    [Fact]
    public void An_outbound_icmp_error_about_an_inbound_flow_is_related()
    {
        PacketFacts syn = Tcp("198.51.100.9", "10.0.1.10", 443, In);
        _evaluator.Judge(syn);

        Policies.Expect(_evaluator.Judge(IcmpError("10.0.1.10", "198.51.100.9", 3, Out, quoted: syn)), Allow, Related, "https-in");
    }

    [Fact]
    public void An_icmp_error_about_no_known_flow_is_judged_and_never_tracked()
    {
        PacketFacts never = Udp("10.0.1.10", "198.51.100.1", 53, Out);

        Policies.Expect(_evaluator.Judge(IcmpError("192.0.2.1", "10.0.1.10", 3, In, quoted: never)), Deny, PolicyDefault);
        Policies.Expect(_evaluator.Judge(IcmpError("10.0.1.10", "192.0.2.1", 11, Out, quoted: never)), Allow, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Icmp("192.0.2.1", "10.0.1.10", 3, In)), Deny, PolicyDefault); // no usable quote
        Assert.Equal(0, _evaluator.TrackedFlowCount);
    }

    [Fact]
    public void Monitor_mode_tracks_would_deny_flows_and_reports_every_packet_of_them()
    {
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.20", 80, In);

        Policies.Expect(_evaluator.Judge(syn), WouldDeny, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Reply(syn)), WouldDeny, Established);
        Policies.Expect(_evaluator.Judge(Next(syn)), WouldDeny, Established);
        // An ICMP error about a would-deny flow is not about a flow currently allowed.
        Policies.Expect(_evaluator.Judge(IcmpError("192.0.2.1", "10.0.1.20", 3, In, quoted: Reply(syn))), WouldDeny, PolicyDefault);
    }

    [Fact]
    public void Monitor_mode_reports_the_deny_rule()
    {
        Policies.Expect(_evaluator.Judge(Tcp("10.0.1.20", "198.51.100.1", 25, Out)), WouldDeny, PolicyRule, "no-smtp-out");
        Policies.Expect(_evaluator.Judge(Tcp("10.0.1.10", "198.51.100.1", 25, Out)), Deny, PolicyRule, "no-smtp-out");
    }

    [Fact]
    public void Flows_are_keyed_by_both_ends_and_ports()
    {
        _evaluator.Judge(Tcp("10.0.1.10", "198.51.100.1", 80, Out, sourcePort: 1000));

        Policies.Expect(_evaluator.Judge(Tcp("198.51.100.1", "10.0.1.10", 1001, In, TcpFlagBits.Ack, sourcePort: 80)), Deny, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Tcp("198.51.100.2", "10.0.1.10", 1000, In, TcpFlagBits.Ack, sourcePort: 80)), Deny, PolicyDefault);
        Policies.Expect(_evaluator.Judge(Tcp("198.51.100.1", "10.0.1.10", 1000, In, TcpFlagBits.Ack, sourcePort: 80)), Allow, Established);
    }

    [Fact]
    public void Forgetting_flows_is_like_a_timeout()
    {
        PacketFacts syn = Tcp("10.0.1.10", "198.51.100.1", 80, Out);
        _evaluator.Judge(syn);

        _evaluator.ForgetFlows();

        Policies.Expect(_evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), Deny, PolicyDefault);
    }
}
