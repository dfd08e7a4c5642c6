using Microseg.Policy.Evaluation;
using static Microseg.Datapath.Abi.VerdictReason;
using static Microseg.Datapath.Abi.Verdict;
using static Microseg.Policy.Tests.Evaluation.Packets;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>A policy change judges tracked flows again, as the connection each is, from the side that opened it, whichever side sends next.</summary>
public sealed class PolicyChangeTests
{
    private static readonly string Before = ConntrackTests.Policy;

    [Fact]
    public void A_flow_the_new_policy_denies_is_stopped_both_ways_and_kept_as_revoked()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [443]", "ports: [8443]")));

        Judgement j = evaluator.Judge(Reply(syn, TcpFlagBits.Ack));
        Policies.Expect(j, Deny, PolicyRevoked);
        Assert.Contains("judged again as the connection it is, from the side that opened it (ingress tcp port 443)", j.Explanation);
        Assert.Equal(1, evaluator.TrackedFlowCount);
        Policies.Expect(evaluator.Judge(Next(syn)), Deny, PolicyRevoked);
    }

    /// <summary>
    /// The server speaks first after the change (its reply is what revokes the flow), then
    /// again: its packets would pass as web's own egress (default allow) if the flow were
    /// forgotten, and the client's data would ride in behind them.
    /// </summary>
    [Fact]
    public void A_revoked_flow_stays_stopped_whichever_side_sends_next()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);
        evaluator.Judge(Reply(syn));

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [443]", "ports: [8443]")));

        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), Deny, PolicyRevoked);
        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), Deny, PolicyRevoked);
        Policies.Expect(evaluator.Judge(Next(syn)), Deny, PolicyRevoked);
        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack | TcpFlagBits.Fin)), Deny, PolicyRevoked);
    }

    [Fact]
    public void A_revoked_udp_flow_does_not_come_back_as_the_servers_new_flow()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before.Replace("protocol: tcp, ports: [443]", "protocol: udp, ports: [443]")));
        PacketFacts query = Udp("198.51.100.1", "10.0.1.10", 443, In);
        Policies.Expect(evaluator.Judge(query), Allow, PolicyRule, "https-in");

        evaluator.ReplacePolicy(Policies.FromText(Before));

        Policies.Expect(evaluator.Judge(Next(query)), Deny, PolicyRevoked);
        Policies.Expect(evaluator.Judge(Reply(query)), Deny, PolicyRevoked);
    }

    [Fact]
    public void A_revoked_flow_the_policy_allows_again_resumes()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);
        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [443]", "ports: [8443]")));
        Policies.Expect(evaluator.Judge(Next(syn)), Deny, PolicyRevoked);

        evaluator.ReplacePolicy(Policies.FromText(Before));

        Judgement j = evaluator.Judge(Reply(syn, TcpFlagBits.Ack));
        Policies.Expect(j, Allow, Established, "https-in");
        Assert.Contains("revoked before, is allowed again", j.Explanation);
        Policies.Expect(evaluator.Judge(Next(syn)), Allow, Established, "https-in");
    }

    /// <summary>
    /// A flow picked up mid-stream (say, conntrack forgot it) was admitted because it was
    /// allowed whichever side opened it; after a change, each side's opening is asked again.
    /// </summary>
    [Fact]
    public void A_flow_picked_up_mid_stream_is_judged_from_both_sides_after_a_change()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        // web's segment from port 443 to a client: web opening it (egress to 40000) is allowed by
        // the egress default; the client opening it (ingress to 443) by https-in.
        PacketFacts segment = Tcp("10.0.1.10", "198.51.100.1", 40000, Out, TcpFlagBits.Ack, sourcePort: 443);
        Policies.Expect(evaluator.Judge(segment), Allow, PolicyDefault);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [443]", "ports: [8443]")));

        Judgement j = evaluator.Judge(Next(segment));
        Policies.Expect(j, Deny, PolicyRevoked);
        Assert.Contains("judged as the other side opening it (ingress tcp port 443)", j.Explanation);
    }

    [Fact]
    public void The_reply_of_an_outbound_flow_is_judged_as_the_outbound_flow()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("10.0.1.10", "198.51.100.1", 587, Out);
        evaluator.Judge(syn);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [25]", "ports: [25, 587]")));

        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), Deny, PolicyRevoked, "no-smtp-out", "rule");
    }

    [Fact]
    public void A_flow_still_allowed_continues_under_the_rule_that_allows_it_now()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);
        string next = Before.Replace("name: https-in", "name: https-in-renamed");

        evaluator.ReplacePolicy(Policies.FromText(next));

        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), Allow, Established, "https-in-renamed");
        Policies.Expect(evaluator.Judge(Next(syn)), Allow, Established, "https-in-renamed");
        Assert.Equal(1, evaluator.TrackedFlowCount);
    }

    [Fact]
    public void In_monitor_mode_a_now_denied_flow_passes_as_would_deny()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [443]", "ports: [8443]").Replace("mode: enforce", "mode: monitor")));

        Policies.Expect(evaluator.Judge(Next(syn)), WouldDeny, Established);
        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), WouldDeny, Established);
        Assert.Equal(1, evaluator.TrackedFlowCount);
    }

    [Fact]
    public void A_would_deny_flow_the_new_policy_allows_becomes_allowed()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.20", 80, In);
        Policies.Expect(evaluator.Judge(syn), WouldDeny, PolicyDefault);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("local: {identity: web}, peer: {any: true}, protocol: tcp, ports: [443]", "local: {any: true}, peer: {any: true}, protocol: tcp, ports: [443, 80]")));

        Policies.Expect(evaluator.Judge(Reply(syn, TcpFlagBits.Ack)), Allow, Established, "https-in");
    }

    [Fact]
    public void An_endpoint_switched_off_passes_its_flows_unjudged()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("mode: enforce", "mode: off")));

        Policies.Expect(evaluator.Judge(Next(syn)), Unenforced, EndpointOff);
    }

    [Fact]
    public void An_icmp_error_is_related_only_to_a_flow_judged_under_the_current_policy()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts query = Udp("10.0.1.10", "198.51.100.1", 53, Out);
        evaluator.Judge(query);
        evaluator.ReplacePolicy(Policies.FromText(Before));
        PacketFacts error = IcmpError("192.0.2.1", "10.0.1.10", 3, In, quoted: query);

        Policies.Expect(evaluator.Judge(error), Deny, PolicyDefault);
        Policies.Expect(evaluator.Judge(Next(query)), Allow, Established);
        Policies.Expect(evaluator.Judge(error), Allow, Related);
    }

    [Fact]
    public void A_syn_after_a_change_is_judged_by_the_new_policy()
    {
        var evaluator = new ReferenceEvaluator(Policies.FromText(Before));
        PacketFacts syn = Tcp("198.51.100.1", "10.0.1.10", 443, In);
        evaluator.Judge(syn);

        evaluator.ReplacePolicy(Policies.FromText(Before.Replace("ports: [443]", "ports: [8443]")));

        Policies.Expect(evaluator.Judge(syn), Deny, PolicyDefault);
        Assert.Equal(1, evaluator.TrackedFlowCount); // a denied SYN opens nothing and closes nothing
    }
}
