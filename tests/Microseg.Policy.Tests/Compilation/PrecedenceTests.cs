using Microseg.Datapath.Abi;
using Microseg.Policy.Compilation;
using static Microseg.Policy.Tests.Compilation.ImageLookup;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>Precedence as the kernel would see it: compile, then look packets up in the image.</summary>
public sealed class PrecedenceTests
{
    // web 10.0.1.10 is the endpoint (enforce, ingress deny, egress allow); db 10.0.2.0/24; api 10.0.3.7.
    private const string Head = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - name: web
            labels: {app: web, zone: dmz}
            addresses: [10.0.1.10]
          - name: db
            labels: {app: db, zone: inner}
            addresses: [10.0.2.0/24]
          - name: api
            labels: {app: api, zone: dmz}
            addresses: [10.0.3.7]
        endpoints:
          - identity: web
            addresses: [10.0.1.10]

        """;

    private static Decision In(CompiledPolicy p, string remote, byte protocol, ushort port) =>
        Decide(p.Image, "10.0.1.10", remote, Direction.Ingress, protocol, port);

    private static string Rule(string name, string action, string peer, string protocol = "tcp", string ports = "", string direction = "ingress") => $"""
          - name: {name}
            action: {action}
            direction: {direction}
            local: {"{identity: web}"}
            peer: {peer}
            protocol: {protocol}
        {(ports.Length > 0 ? $"    ports: {ports}\n" : "")}
        """;

    [Fact]
    public void Boundary_beats_allow_on_every_protocol_and_port()
    {
        CompiledPolicy p = Compile.Text(Head + "rules:\n" + Rule("db-any", "allow", "{identity: db}") +
            "boundaries:\n  - name: zones\n    between: {matchLabels: {zone: dmz}}\n    and: {matchLabels: {zone: inner}}\nmanagement: []\n");
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "zones")), Pair(In(p, "10.0.2.9", 6, 443)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "zones")), Pair(In(p, "10.0.2.9", 17, 53)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "zones")), Pair(Decide(p.Image, "10.0.1.10", "10.0.2.9", Direction.Egress, 47, 0)));
        Assert.True(In(p, "10.0.3.7", 6, 443).IsDefault);
    }

    [Fact]
    public void Deny_beats_allow_and_the_first_in_file_order_decides_within_a_level()
    {
        CompiledPolicy p = Compile.Text(Head + "rules:\n" +
            Rule("allow-web-ports", "allow", "{any: true}", ports: "[\"80-90\"]") +
            Rule("deny-85", "deny", "{identity: api}", ports: "[85]") +
            Rule("allow-again", "allow", "{identity: api}", ports: "[\"70-100\"]") +
            Rule("deny-85-too", "deny", "{any: true}", ports: "[\"84-86\"]") + "management: []\n");
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "deny-85")), Pair(In(p, "10.0.3.7", 6, 85)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "deny-85-too")), Pair(In(p, "10.0.3.7", 6, 84)));
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "allow-web-ports")), Pair(In(p, "10.0.3.7", 6, 80)));
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "allow-again")), Pair(In(p, "10.0.3.7", 6, 95)));
        // Wildcard rules fold into api's key, and alone they answer for db.
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "allow-web-ports")), Pair(In(p, "10.0.2.1", 6, 88)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "deny-85-too")), Pair(In(p, "10.0.2.1", 6, 85)));
        Assert.True(In(p, "10.0.2.1", 6, 95).IsDefault);
    }

    [Fact]
    public void Management_beats_boundary_and_deny()
    {
        CompiledPolicy p = Compile.Text(Head + "rules:\n" + Rule("deny-ssh", "deny", "{any: true}", ports: "[22]") +
            """
            boundaries:
              - name: zones
                between: {matchLabels: {zone: dmz}}
                and: {matchLabels: {zone: inner}}
            management:
              - name: admin
                from: [10.0.2.128/25]

            """);
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "admin")), Pair(In(p, "10.0.2.200", 6, 22)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "zones")), Pair(In(p, "10.0.2.200", 6, 23)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "zones")), Pair(In(p, "10.0.2.5", 6, 22)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "deny-ssh")), Pair(In(p, "192.0.2.1", 6, 22)));
        // The admin source keeps db's rules (the boundary) and its own number.
        CompiledIdentity admin = p.Identities.Single(i => i.Name == "db+admin");
        Assert.Equal(admin.Id, RemoteIdentity(p.Image, "10.0.2.200"));
        Assert.Equal(Compile.Identity(p, "db"), RemoteIdentity(p.Image, "10.0.2.5"));
    }

    [Fact]
    public void Any_protocol_rules_reach_every_protocol_even_beside_specific_keys()
    {
        CompiledPolicy p = Compile.Text(Head + "rules:\n" +
            Rule("api-anything", "allow", "{identity: api}", protocol: "any") +
            Rule("dns-from-anyone", "allow", "{any: true}", protocol: "udp", ports: "[53]") +
            Rule("no-telnet", "deny", "{any: true}", ports: "[23]") + "management: []\n");
        // api has only an any-protocol key; (any, udp) and (any, tcp) exist, so api gets its own.
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "api-anything")), Pair(In(p, "10.0.3.7", 17, 9999)));
        // Both allow rules match: the first in file order is reported.
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "api-anything")), Pair(In(p, "10.0.3.7", 17, 53)));
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "no-telnet")), Pair(In(p, "10.0.3.7", 6, 23)));
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "api-anything")), Pair(In(p, "10.0.3.7", 6, 24)));
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "api-anything")), Pair(In(p, "10.0.3.7", 1, 8)));
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "api-anything")), Pair(In(p, "10.0.3.7", 47, 0)));
        Assert.True(In(p, "10.0.2.3", 1, 8).IsDefault);
        Assert.Equal((RuleActionKind.Allow, Compile.Id(p, "dns-from-anyone")), Pair(In(p, "10.0.2.3", 17, 53)));
    }

    [Fact]
    public void Adjacent_and_overlapping_intervals_of_one_rule_merge_and_single_ports_stay_exact()
    {
        CompiledPolicy p = Compile.Text(Head + "rules:\n" +
            Rule("many", "allow", "{identity: api}", ports: "[\"100-199\", \"200-250\", \"240-300\", 400, 401, 500]") + "management: []\n");
        PolicyKey key = CompilerEntriesTests.Key(Compile.Identity(p, "web"), Direction.Ingress, Compile.Identity(p, "api"), 6);
        PolicyRanges ranges = p.Image.Ranges[key];
        Assert.Equal(2u, ranges.Count);
        Assert.Equal((100, 300), ((int)ranges.Ranges[0].FirstPort, (int)ranges.Ranges[0].LastPort));
        Assert.Equal((400, 401), ((int)ranges.Ranges[1].FirstPort, (int)ranges.Ranges[1].LastPort));
        Assert.Equal([500], p.Image.Ports.Keys.Select(k => (int)k.Port));
    }

    [Fact]
    public void Covering_every_port_makes_the_widest_outcome_the_any_port_action()
    {
        CompiledPolicy p = Compile.Text(Head + "rules:\n" +
            Rule("all-tcp", "allow", "{identity: api}") + Rule("no-ssh", "deny", "{identity: api}", ports: "[22]") + "management: []\n");
        PolicyKey key = CompilerEntriesTests.Key(Compile.Identity(p, "web"), Direction.Ingress, Compile.Identity(p, "api"), 6);
        Assert.Equal(PolicyFlags.AnyPort | PolicyFlags.ExactPorts, p.Image.Policies[key].Flags);
        Assert.Equal(Compile.Id(p, "all-tcp"), p.Image.Policies[key].AnyPortRuleId);
        Assert.Equal((RuleActionKind.Deny, Compile.Id(p, "no-ssh")), Pair(In(p, "10.0.3.7", 6, 22)));
        Assert.Empty(p.Image.Ranges);
    }

    private static (RuleActionKind, uint) Pair(Decision d) => (d.Action, d.RuleId);
}
