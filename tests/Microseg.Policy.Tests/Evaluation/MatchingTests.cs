using Microseg.Policy.Evaluation;
using static Microseg.Datapath.Abi.VerdictReason;
using static Microseg.Datapath.Abi.Verdict;
using static Microseg.Policy.Tests.Evaluation.Packets;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>What a rule matches: selectors of every kind, peer identities, protocols, ports and ICMP types.</summary>
public sealed class MatchingTests
{
    // The endpoint web; peers prod-api, staging-api, tools (no env), a corp /8 with a lab /16 inside it, and the world.
    private const string World = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: deny}
        identities:
          - {name: web, labels: {app: web, env: prod}, addresses: [10.0.1.10, "2001:db8::10"]}
          - {name: prod-api, labels: {app: api, env: prod}, addresses: [10.1.0.1]}
          - {name: staging-api, labels: {app: api, env: staging}, addresses: [10.1.0.2]}
          - {name: tools, labels: {app: tools}, addresses: [10.1.0.3]}
          - {name: corp, labels: {zone: corp}, addresses: [10.0.0.0/8, "2001:db8::/32"]}
          - {name: lab, labels: {zone: lab}, addresses: [10.5.0.0/16]}
        endpoints:
          - {identity: web, addresses: [10.0.1.10, "2001:db8::10"]}
          - {identity: host, addresses: [10.5.0.2]}
        management: []
        rules:

        """;

    private static Judgement Ingress(string rule, string from, ushort port = 80, string to = "10.0.1.10") =>
        Policies.Evaluator(World + "  - " + rule + "\n").Judge(Tcp(from, to, port, In));

    [Theory]
    [InlineData("{identity: prod-api}", "10.1.0.1", true)]
    [InlineData("{identity: prod-api}", "10.1.0.2", false)]
    [InlineData("{matchLabels: {app: api}}", "10.1.0.2", true)]
    [InlineData("{matchLabels: {app: api, env: prod}}", "10.1.0.2", false)]
    [InlineData("{matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}", "10.1.0.2", true)]
    [InlineData("{matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}", "10.1.0.3", false)]
    [InlineData("{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", "10.1.0.2", true)]
    [InlineData("{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", "10.1.0.3", true)]   // label absent
    [InlineData("{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", "198.51.100.1", true)] // world: no env label
    [InlineData("{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", "10.1.0.1", false)]
    [InlineData("{matchExpressions: [{key: env, operator: Exists}]}", "10.1.0.1", true)]
    [InlineData("{matchExpressions: [{key: env, operator: Exists}]}", "10.1.0.3", false)]
    [InlineData("{matchLabels: {app: api}, matchExpressions: [{key: env, operator: NotIn, values: [staging]}]}", "10.1.0.2", false)]
    [InlineData("{any: true}", "198.51.100.1", true)]
    [InlineData("{identity: world}", "198.51.100.1", true)]
    [InlineData("{identity: world}", "10.1.0.1", false)]
    [InlineData("{matchLabels: {reserved: world}}", "198.51.100.1", true)]
    [InlineData("{identity: host}", "10.5.0.2", true)]       // an endpoint address is its endpoint's identity
    [InlineData("{matchLabels: {reserved: host}}", "10.5.0.2", true)]
    [InlineData("{identity: lab}", "10.5.0.2", false)]
    public void Peer_selectors(string selector, string from, bool matches)
    {
        Judgement j = Ingress($"{{name: r, action: allow, direction: ingress, local: {{identity: web}}, peer: {selector}}}", from);

        Policies.Expect(j, matches ? Allow : Deny, matches ? PolicyRule : PolicyDefault, matches ? "r" : null);
    }

    [Theory]
    [InlineData("{matchLabels: {env: prod}}", true)]
    [InlineData("{matchExpressions: [{key: app, operator: In, values: [web]}]}", true)]
    [InlineData("{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}", false)]
    [InlineData("{any: true}", true)]
    [InlineData("{identity: web}", true)]
    public void Local_selectors(string selector, bool matches)
    {
        // 'r' selects web or, when it does not, the host endpoint (so the selector is never empty of endpoints).
        string rule = $"{{name: r, action: allow, direction: ingress, local: {selector}, peer: {{any: true}}}}";
        string policy = World + "  - " + rule + "\n  - {name: keep, action: allow, direction: ingress, local: {identity: host}, peer: {any: true}, protocol: udp}\n";

        Judgement j = Policies.Evaluator(policy).Judge(Tcp("198.51.100.1", "10.0.1.10", 80, In));

        Policies.Expect(j, matches ? Allow : Deny, matches ? PolicyRule : PolicyDefault, matches ? "r" : null);
    }

    [Theory]
    [InlineData("10.5.7.7", "lab", "its prefix 10.5.0.0/16 is the longest that covers 10.5.7.7")]
    [InlineData("10.6.7.7", "corp", "its prefix 10.0.0.0/8 is the longest that covers 10.6.7.7")]
    [InlineData("10.1.0.1", "prod-api", "its address 10.1.0.1 is exactly 10.1.0.1")]
    [InlineData("10.5.0.2", "host", "10.5.0.2 is an address of that identity's endpoint on this host")]
    [InlineData("198.51.100.1", "world", "no identity's address or prefix covers 198.51.100.1")]
    [InlineData("2001:db8::77", "corp", "its prefix 2001:db8::/32 is the longest that covers 2001:db8::77")]
    [InlineData("2001:db9::1", "world", "no identity's address or prefix covers 2001:db9::1")]
    public void The_peer_identity_is_the_longest_matching_prefix(string from, string identity, string why)
    {
        string to = from.Contains(':') ? "2001:db8::10" : "10.0.1.10";

        Judgement j = Ingress("{name: r, action: allow, direction: egress, local: {any: true}, peer: {any: true}}", from, to: to);

        Assert.Equal(identity, j.PeerIdentity);
        Assert.Contains($"'{identity}': {why}", j.Explanation);
    }

    [Fact]
    public void An_endpoint_address_inside_another_identitys_prefix_is_the_endpoint()
    {
        // 10.0.1.10 is web's endpoint, inside corp's 10.0.0.0/8: seen from the host endpoint it is web.
        Judgement j = Policies.Evaluator(World + "  - {name: r, action: allow, direction: ingress, local: {identity: host}, peer: {identity: web}}\n")
            .Judge(Tcp("10.0.1.10", "10.5.0.2", 80, In));

        Policies.Expect(j, Allow, PolicyRule, "r");
    }

    [Theory]
    [InlineData("protocol: tcp, ports: [80]", "tcp", 80, true)]
    [InlineData("protocol: tcp, ports: [80]", "tcp", 81, false)]
    [InlineData("protocol: tcp, ports: [80]", "udp", 80, false)]
    [InlineData("protocol: tcp, ports: [\"8000-8999\"]", "tcp", 8000, true)]
    [InlineData("protocol: tcp, ports: [\"8000-8999\"]", "tcp", 8999, true)]
    [InlineData("protocol: tcp, ports: [\"8000-8999\"]", "tcp", 9000, false)]
    [InlineData("protocol: tcp, ports: [22, \"8000-8001\", 443]", "tcp", 443, true)]
    [InlineData("protocol: tcp", "tcp", 65535, true)]
    [InlineData("protocol: udp, ports: [53]", "udp", 53, true)]
    [InlineData("protocol: udp", "tcp", 53, false)]
    [InlineData("protocol: any", "udp", 9, true)]
    [InlineData("protocol: any", "gre", 0, true)]
    [InlineData("protocol: tcp", "gre", 0, false)]
    [InlineData("protocol: icmp", "icmp", 8, true)]
    [InlineData("protocol: icmp, icmpTypes: [8]", "icmp", 8, true)]
    [InlineData("protocol: icmp, icmpTypes: [8]", "icmp", 13, false)]
    [InlineData("protocol: icmp, icmpTypes: [\"0-8\"]", "icmp", 5, true)]
    [InlineData("protocol: icmp", "icmpv6", 128, false)]
    [InlineData("protocol: icmpv6, icmpTypes: [128]", "icmpv6", 128, true)]
    [InlineData("protocol: icmpv6, icmpTypes: [128]", "icmpv6", 129, false)]
    public void Protocols_ports_and_icmp_types(string clause, string protocol, int value, bool matches)
    {
        bool v6 = protocol == "icmpv6";
        string from = v6 ? "2001:db8::77" : "10.1.0.1";
        string to = v6 ? "2001:db8::10" : "10.0.1.10";
        PacketFacts packet = protocol switch
        {
            "tcp" => Tcp(from, to, (ushort)value, In),
            "udp" => Udp(from, to, (ushort)value, In),
            "gre" => Other(from, to, 47, In),
            _ => Icmp(from, to, (byte)value, In, id: 1),
        };

        Judgement j = Policies.Evaluator(World + $"  - {{name: r, action: allow, direction: ingress, local: {{identity: web}}, peer: {{any: true}}, {clause}}}\n").Judge(packet);

        Policies.Expect(j, matches ? Allow : Deny, matches ? PolicyRule : PolicyDefault, matches ? "r" : null);
    }

    [Fact]
    public void A_rule_applies_only_in_its_direction()
    {
        ReferenceEvaluator evaluator = Policies.Evaluator(World + "  - {name: out, action: allow, direction: egress, local: {identity: web}, peer: {identity: prod-api}, protocol: tcp, ports: [80]}\n");

        Policies.Expect(evaluator.Judge(Tcp("10.0.1.10", "10.1.0.1", 80, Out)), Allow, PolicyRule, "out");
        Policies.Expect(evaluator.Judge(Tcp("10.1.0.1", "10.0.1.10", 80, In)), Deny, PolicyDefault);
    }
}
