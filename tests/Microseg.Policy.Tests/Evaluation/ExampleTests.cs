using System.Net;
using Microseg.Policy.Evaluation;
using Microseg.Datapath.Abi;
using static Microseg.Datapath.Abi.VerdictReason;
using static Microseg.Datapath.Abi.Verdict;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>
/// The worked examples of docs/policy.md, judged packet by packet: each row is a first packet
/// (a SYN for tcp, an echo request or other type for icmp) and the verdict the document promises.
/// </summary>
public sealed class ExampleTests
{
    [Theory]
    // https from anywhere reaches web; nothing else does (default-deny ingress).
    [InlineData("203.0.113.7", "10.0.1.10", "in", "tcp", 443, Allow, PolicyRule, "https-from-anywhere", "rule")]
    [InlineData("203.0.113.7", "10.0.1.10", "in", "tcp", 80, Deny, PolicyDefault, null, null)]
    // web -> app -> db on their ports, seen from both ends.
    [InlineData("10.0.1.10", "10.0.2.20", "out", "tcp", 8080, Allow, PolicyRule, "web-to-app", "rule")]
    [InlineData("10.0.1.10", "10.0.2.20", "in", "tcp", 8080, Allow, PolicyRule, "app-from-web", "rule")]
    [InlineData("10.0.2.20", "10.0.3.5", "out", "tcp", 5432, Allow, PolicyRule, "app-to-db", "rule")]
    [InlineData("10.0.2.20", "10.0.3.5", "in", "tcp", 5432, Allow, PolicyRule, "db-from-app", "rule")]
    [InlineData("10.0.1.10", "10.0.3.5", "in", "tcp", 5432, Deny, PolicyDefault, null, null)]
    [InlineData("10.0.1.10", "10.0.3.5", "out", "tcp", 5432, Deny, PolicyDefault, null, null)]
    // Egress is default-deny too: only DNS to the dns identity leaves.
    [InlineData("10.0.2.20", "10.0.0.53", "out", "udp", 53, Allow, PolicyRule, "shop-dns", "rule")]
    [InlineData("10.0.2.20", "8.8.8.8", "out", "udp", 53, Deny, PolicyDefault, null, null)]
    // An app peer by the IPv6 prefix is 'app', which is not tier web.
    [InlineData("2001:db8:2::99", "2001:db8:2::20", "in", "tcp", 8080, Deny, PolicyDefault, null, null)]
    // Ping within the shop, not from the world.
    [InlineData("10.0.1.10", "10.0.3.5", "in", "icmp", 8, Allow, PolicyRule, "ping-within-shop", "rule")]
    [InlineData("203.0.113.7", "10.0.3.5", "in", "icmp", 8, Deny, PolicyDefault, null, null)]
    [InlineData("10.0.1.10", "10.0.3.5", "in", "icmp", 13, Deny, PolicyDefault, null, null)]
    // SSH from the admin /28 only.
    [InlineData("192.0.2.5", "10.0.3.5", "in", "tcp", 22, Allow, PolicyRule, "admin-ssh", "management")]
    [InlineData("192.0.2.20", "10.0.3.5", "in", "tcp", 22, Deny, PolicyDefault, null, null)]
    // A local address no endpoint lists is not judged.
    [InlineData("203.0.113.7", "10.0.9.9", "in", "tcp", 22, Unenforced, EndpointOff, null, null)]
    public void Three_tier(string from, string to, string direction, string protocol, int port, Verdict outcome, VerdictReason reason, string? rule, string? kind) =>
        Check("three-tier.yaml", from, to, direction, protocol, port, outcome, reason, rule, kind);

    [Theory]
    // The gateway reaches the cardholder database on 5432.
    [InlineData("10.20.0.20", "10.20.0.10", "in", "tcp", 5432, Allow, PolicyRule, "gateway-to-cardholder-db", "rule")]
    // The conf.d allow for node-exporter cannot open the boundary.
    [InlineData("10.1.2.3", "10.20.0.10", "in", "tcp", 9100, Deny, PolicyRule, "pci-zone", "boundary")]
    // world has no zone label: 'zone NotIn [pci]' selects it.
    [InlineData("198.51.100.1", "10.20.0.10", "in", "tcp", 5432, Deny, PolicyRule, "pci-zone", "boundary")]
    // Both directions, every protocol, even with a default-allow egress.
    [InlineData("10.20.0.10", "10.1.2.3", "out", "tcp", 443, Deny, PolicyRule, "pci-zone", "boundary")]
    [InlineData("10.20.0.10", "10.1.2.3", "out", "udp", 53, Deny, PolicyRule, "pci-zone", "boundary")]
    [InlineData("10.20.0.10", "10.20.0.20", "out", "tcp", 443, Allow, PolicyDefault, null, null)]
    // The jump host is in corp (10.0.0.0/8), across the boundary, but management beats boundaries.
    [InlineData("10.99.0.5", "10.20.0.10", "in", "tcp", 22, Allow, PolicyRule, "pci-jump-host-ssh", "management")]
    [InlineData("10.99.0.5", "10.20.0.10", "in", "tcp", 23, Deny, PolicyRule, "pci-zone", "boundary")]
    public void Pci_boundary(string from, string to, string direction, string protocol, int port, Verdict outcome, VerdictReason reason, string? rule, string? kind) =>
        Check("pci-boundary.yaml", from, to, direction, protocol, port, outcome, reason, rule, kind);

    [Theory]
    // billing enforces: the office reaches its API ports, nothing else.
    [InlineData("172.16.5.5", "10.1.0.10", "in", "tcp", 443, Allow, PolicyRule, "billing-api-from-office", "rule")]
    [InlineData("172.16.5.5", "10.1.0.10", "in", "tcp", 8050, Allow, PolicyRule, "billing-api-from-office", "rule")]
    [InlineData("172.16.5.5", "10.1.0.10", "in", "tcp", 8100, Deny, PolicyDefault, null, null)]
    [InlineData("172.16.5.5", "10.1.0.10", "in", "tcp", 23, Deny, PolicyRule, "no-telnet-anywhere", "rule")]
    [InlineData("203.0.113.7", "10.1.0.10", "in", "tcp", 443, Deny, PolicyDefault, null, null)]
    // reporting (an endpoint here, and an identity address) reads billing; the host endpoint does not.
    [InlineData("10.1.0.20", "10.1.0.10", "in", "tcp", 8443, Allow, PolicyRule, "reporting-reads-billing", "rule")]
    [InlineData("10.1.0.2", "10.1.0.10", "in", "tcp", 8443, Deny, PolicyDefault, null, null)]
    // reporting stays in monitor: what would be denied passes and is reported.
    [InlineData("203.0.113.7", "10.1.0.20", "in", "tcp", 9999, WouldDeny, PolicyDefault, null, null)]
    [InlineData("172.16.5.5", "10.1.0.20", "in", "tcp", 443, Allow, PolicyRule, "reporting-ui", "rule")]
    [InlineData("fd00:10::5", "fd00:1::20", "in", "tcp", 23, WouldDeny, PolicyRule, "no-telnet-anywhere", "rule")]
    [InlineData("fd00:10::5", "fd00:1::20", "in", "tcp", 443, Allow, PolicyRule, "reporting-ui", "rule")]
    // The host endpoint is in monitor too (the default mode).
    [InlineData("203.0.113.7", "10.1.0.2", "in", "tcp", 80, WouldDeny, PolicyDefault, null, null)]
    // Management over IPv6 reaches every endpoint.
    [InlineData("192.0.2.77", "10.1.0.10", "in", "tcp", 22, Allow, PolicyRule, "admin-ssh", "management")]
    [InlineData("2001:db8:ad::1", "fd00:1::20", "in", "tcp", 22, Allow, PolicyRule, "admin-ssh", "management")]
    public void Monitor_first(string from, string to, string direction, string protocol, int port, Verdict outcome, VerdictReason reason, string? rule, string? kind) =>
        Check("monitor-first.yaml", from, to, direction, protocol, port, outcome, reason, rule, kind);

    [Fact]
    public void The_boundary_explanation_names_the_allow_rule_it_overrides()
    {
        var evaluator = new ReferenceEvaluator(Policies.Example("pci-boundary.yaml"));

        Judgement j = evaluator.Judge(Packets.Tcp("10.1.2.3", "10.20.0.10", 9100, Packets.In));

        Assert.Contains("Boundary 'pci-zone'", j.Explanation);
        Assert.Contains("overrides allow rule 'node-exporter-from-corp'", j.Explanation);
        Assert.Contains("'corp': its prefix 10.0.0.0/8 is the longest that covers 10.1.2.3", j.Explanation);
        Assert.Contains("mode enforce", j.Explanation);
        string path = Policies.ExamplePath("pci-boundary.yaml");
        int line = Array.IndexOf(File.ReadAllLines(path), "  - name: pci-zone") + 1;
        Assert.Equal(new Diagnostics.SourcePosition(path, line, 5), j.RulePosition);
    }

    private static void Check(string example, string from, string to, string direction, string protocol, int port, Verdict outcome, VerdictReason reason, string? rule, string? kind)
    {
        var evaluator = new ReferenceEvaluator(Policies.Example(example));
        Direction d = direction == "in" ? Packets.In : Packets.Out;
        PacketFacts packet = protocol switch
        {
            "tcp" => Packets.Tcp(from, to, (ushort)port, d),
            "udp" => Packets.Udp(from, to, (ushort)port, d),
            _ => Packets.Icmp(from, to, (byte)port, d, id: 7),
        };

        Judgement j = evaluator.Judge(packet);

        Policies.Expect(j, outcome, reason, rule, kind);
        Assert.Equal(IPAddress.Parse(from).AddressFamily, IPAddress.Parse(to).AddressFamily);
    }
}
