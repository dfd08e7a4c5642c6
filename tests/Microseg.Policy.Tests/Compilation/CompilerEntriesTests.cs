using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;
using AbiMode = Microseg.Datapath.Abi.EndpointMode;
using AbiRuleAction = Microseg.Datapath.Abi.RuleAction;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>Small policies and the exact map entries they compile to.</summary>
public sealed class CompilerEntriesTests
{
    private const string Small = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - name: web
            labels: {app: web}
            addresses: [10.0.1.10]
          - name: db
            labels: {app: db}
            addresses: [10.0.2.0/24, "2001:db8::/64"]
          - name: api
            labels: {app: api}
            addresses: [10.0.3.7]
        endpoints:
          - identity: web
            addresses: [10.0.1.10, "2001:db8:1::10"]
          - identity: host
            addresses: [10.0.0.1]
            mode: monitor
        rules:
          - name: api-http
            action: allow
            direction: ingress
            local: {identity: web}
            peer: {identity: api}
            protocol: tcp
            ports: [80, "8000-8099"]
          - name: ping
            action: allow
            direction: ingress
            local: {identity: web}
            peer: {any: true}
            protocol: icmp
            icmpTypes: [8]
          - name: no-db-egress
            action: deny
            direction: egress
            local: {identity: web}
            peer: {identity: db}
        management:
          - name: admin-ssh
            from: [192.0.2.0/28]
        """;

    [Fact]
    public void Identities_are_numbered_world_host_then_by_name_then_management_sources()
    {
        CompiledPolicy p = Compile.Text(Small);
        Assert.Equal(
            ["1 world", "2 host", "256 api", "257 db", "258 web", "259 world+admin-ssh"],
            p.Identities.Select(i => $"{i.Id} {i.Name}"));
        Assert.Equal(["10.0.1.10", "2001:db8:1::10"], p.Identities.Single(i => i.Name == "web").Addresses);
        Assert.Equal(["192.0.2.0/28"], p.Identities.Single(i => i.Id == 259).Addresses);
        Assert.Equal("world", p.Identities.Single(i => i.Id == 259).BaseIdentity);
    }

    [Fact]
    public void Rule_ids_run_rules_then_boundaries_then_management()
    {
        CompiledPolicy p = Compile.Text(Small);
        Assert.Equal(["1 api-http Rule", "2 ping Rule", "3 no-db-egress Rule", "4 admin-ssh Management"],
            p.Rules.Select(r => $"{r.Id} {r.Name} {r.Kind}"));
        Assert.Equal("api-http", p.RuleName(1));
        Assert.Equal("default", p.RuleName(0));
        Assert.Equal("rule #99", p.RuleName(99));
        Assert.Equal(new Diagnostics.SourcePosition("p.yaml", 20, 5), p.Rules[0].Position);
    }

    [Fact]
    public void Remote_table_holds_identity_endpoint_and_management_addresses()
    {
        SlotImage image = Compile.Text(Small).Image;
        Assert.Equal(
            new Dictionary<string, uint> { ["10.0.1.10"] = 258, ["10.0.3.7"] = 256, ["2001:db8:1::10"] = 258, ["10.0.0.1"] = 2 },
            image.RemoteHosts.ToDictionary(e => e.Key.ToString(), e => e.Value));
        Assert.Equal(
            new Dictionary<string, uint> { ["10.0.2.0/24"] = 257, ["2001:db8::/64"] = 257, ["192.0.2.0/28"] = 259 },
            image.RemotePrefixes.ToDictionary(e => e.Key.ToString(), e => e.Value));
    }

    [Fact]
    public void Endpoints_carry_identity_mode_and_flags_and_the_slot_defaults()
    {
        SlotImage image = Compile.Text(Small).Image;
        var web = new EndpointValue
        {
            Identity = 258,
            Mode = AbiMode.Enforce,
            Flags = EndpointFlags.EgressDefaultAllow | EndpointFlags.IngressAnyRemote | EndpointFlags.EgressAnyProtocol,
        };
        Assert.Equal(web, image.Endpoints[IpAddress16.Parse("10.0.1.10")]);
        Assert.Equal(web, image.Endpoints[IpAddress16.Parse("2001:db8:1::10")]);
        Assert.Equal(new EndpointValue { Identity = 2, Mode = AbiMode.Monitor, Flags = EndpointFlags.EgressDefaultAllow },
            image.Endpoints[IpAddress16.Parse("10.0.0.1")]);
        Assert.Equal(new EndpointValue { Identity = AbiConstants.IdentityHost, Mode = AbiMode.Off }, image.DefaultEndpoint);
        Assert.Equal(AbiMode.Enforce, image.UnattributedMode);
        Assert.Equal(SlotFlags.RemotePrefixes, image.ToSlotConfig(1).Flags);
    }

    [Fact]
    public void Policy_keys_ports_ranges_and_any_port_are_exact()
    {
        SlotImage image = Compile.Text(Small).Image;
        PolicyKey apiTcp = Key(258, Direction.Ingress, 256, 6);
        PolicyKey anyIcmp = Key(258, Direction.Ingress, AbiConstants.IdentityAny, 1);
        PolicyKey dbAny = Key(258, Direction.Egress, 257, 0);
        PolicyKey adminTcp = Key(258, Direction.Ingress, 259, 6);
        PolicyKey hostAdminTcp = Key(AbiConstants.IdentityHost, Direction.Ingress, 259, 6); // management reaches every endpoint
        Assert.Equal(new[] { apiTcp, anyIcmp, dbAny, adminTcp, hostAdminTcp }.Select(Show).Order(), image.Policies.Keys.Select(Show).Order());

        Assert.Equal(new PolicyValue { Flags = PolicyFlags.ExactPorts | PolicyFlags.PortRanges, ExactPortFilter = 1 << (80 & 15), RangeFirstPort = 8000, RangeLastPort = 8099 },
            image.Policies[apiTcp]);
        Assert.Equal(new AbiRuleAction { RuleId = 1, Action = RuleActionKind.Allow }, image.Ports[new PolicyPortKey { Policy = apiTcp, Port = 80 }]);
        PolicyRanges ranges = image.Ranges[apiTcp];
        Assert.Equal(1u, ranges.Count);
        Assert.Equal((8000, 8099, 1u, RuleActionKind.Allow), ((int)ranges.Ranges[0].FirstPort, (int)ranges.Ranges[0].LastPort, ranges.Ranges[0].RuleId, ranges.Ranges[0].Action));

        Assert.Equal(new PolicyValue { Flags = PolicyFlags.ExactPorts, ExactPortFilter = 1 << 8 }, image.Policies[anyIcmp]);
        Assert.Equal(new AbiRuleAction { RuleId = 2, Action = RuleActionKind.Allow }, image.Ports[new PolicyPortKey { Policy = anyIcmp, Port = 8 }]);

        Assert.Equal(new PolicyValue { Flags = PolicyFlags.AnyPort, AnyPortAction = RuleActionKind.Deny, AnyPortRuleId = 3 }, image.Policies[dbAny]);

        Assert.Equal(new AbiRuleAction { RuleId = 4, Action = RuleActionKind.Allow }, image.Ports[new PolicyPortKey { Policy = adminTcp, Port = 22 }]);
        Assert.Equal(new AbiRuleAction { RuleId = 4, Action = RuleActionKind.Allow }, image.Ports[new PolicyPortKey { Policy = hostAdminTcp, Port = 22 }]);
        Assert.Equal(4, image.Ports.Count);
        Assert.Single(image.Ranges);
    }

    [Fact]
    public void Whole_port_space_becomes_the_any_port_action()
    {
        CompiledPolicy p = Compile.Text(PolicyText.Base + """
            rules:
              - name: all-tcp
                action: allow
                direction: ingress
                local: {identity: web}
                peer: {identity: db}
                protocol: tcp
              - name: all-icmp-types
                action: allow
                direction: ingress
                local: {identity: web}
                peer: {identity: db}
                protocol: icmp
                icmpTypes: ["0-255"]
            """);
        PolicyKey tcp = Key(Compile.Identity(p, "web"), Direction.Ingress, Compile.Identity(p, "db"), 6);
        PolicyKey icmp = tcp with { Protocol = 1 };
        Assert.Equal(new PolicyValue { Flags = PolicyFlags.AnyPort, AnyPortAction = RuleActionKind.Allow, AnyPortRuleId = 1 }, p.Image.Policies[tcp]);
        Assert.Equal(new PolicyValue { Flags = PolicyFlags.AnyPort, AnyPortAction = RuleActionKind.Allow, AnyPortRuleId = 2 }, p.Image.Policies[icmp]);
        Assert.Empty(p.Image.Ports);
        Assert.Empty(p.Image.Ranges);
    }

    internal static string Show(PolicyKey k) => $"{k.LocalIdentity} {k.Direction} {k.RemoteIdentity} {k.Protocol}";

    internal static PolicyKey Key(uint local, Direction direction, uint remote, byte protocol) =>
        new() { LocalIdentity = local, Direction = direction, RemoteIdentity = remote, Protocol = protocol };
}
