namespace Microseg.Policy.Tests;

/// <summary>
/// One row per kind of problem: the policy text and exactly what policy check must say about it,
/// file, line, column, severity, message and hint included.
/// </summary>
public sealed class ValidationTableTests
{
    private const string B = PolicyText.Base;

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "unknown top-level key", B + "rulez: []\n",
          "p.yaml:13:1: error: unknown key 'rulez' in the policy file\n  hint: did you mean 'rules'?" },
        { "unknown key in a rule", B + "rules:\n  - name: r\n    action: allow\n    direction: ingress\n    local: {identity: web}\n    peer: {identity: db}\n    protcol: tcp\n",
          "p.yaml:19:5: error: unknown key 'protcol' in a rule\n  hint: did you mean 'protocol'?" },
        { "unknown key without a close match", B + "defaults: {zzzzzz: 1}\n",
          "p.yaml:13:12: error: unknown key 'zzzzzz' in 'defaults'\n  hint: expected one of: mode, ingress, egress" },
        { "YAML syntax error", B + "rules: [\n",
          "p.yaml:14:1: error: YAML syntax error: While parsing a node, did not find expected node content" },
        { "duplicate key", B + "management: []\n",
          "p.yaml:13:1: error: duplicate key 'management' in this mapping\n  hint: a key may appear once: merge the two entries into one list or mapping" },
        { "invalid address", B.Replace("[10.0.1.10]\n  - name: db", "[10.0.1.300]\n  - name: db"),
          "p.yaml:5:17: error: invalid address '10.0.1.300': expected an IPv4 or IPv6 address or CIDR prefix" },
        { "CIDR with host bits set", B.Replace("10.0.2.0/24", "10.0.2.5/24"),
          "p.yaml:8:17: error: invalid CIDR '10.0.2.5/24': bits are set past the /24 prefix\n  hint: did you mean '10.0.2.0/24'?" },
        { "CIDR prefix too long", B.Replace("10.0.2.0/24", "10.0.2.0/33"),
          "p.yaml:8:17: error: invalid CIDR '10.0.2.0/33': the prefix length 33 is longer than 32" },
        { "IPv6 CIDR with host bits set", B.Replace("10.0.2.0/24", "\"2001:db8::1/64\""),
          "p.yaml:8:17: error: invalid CIDR '2001:db8::1/64': bits are set past the /64 prefix\n  hint: did you mean '2001:db8::/64'?" },
        { "port out of range", B + Rule("protocol: tcp\n    ports: [80, 70000]"),
          "p.yaml:20:17: error: port 70000 is out of range 1-65535" },
        { "port zero", B + Rule("protocol: udp\n    ports: [0]"),
          "p.yaml:20:13: error: port 0 is out of range 1-65535" },
        { "inverted port range", B + Rule("protocol: tcp\n    ports: [\"9000-8000\"]"),
          "p.yaml:20:13: error: inverted port range '9000-8000': the first port is greater than the last\n  hint: did you mean '8000-9000'?" },
        { "port that is no number", B + Rule("protocol: tcp\n    ports: [http]"),
          "p.yaml:20:13: error: invalid port 'http': expected a number 1-65535 or a range such as '8000-8999'" },
        { "ICMP type out of range", B + Rule("protocol: icmp\n    icmpTypes: [300]"),
          "p.yaml:20:17: error: ICMP type 300 is out of range 0-255" },
        { "peer selector matching nothing", B + Rule("", peer: "{matchLabels: {app: nope}}"),
          "p.yaml:18:11: warning: 'peer' selects no identity\n  hint: check the label keys and values against the identities" },
        { "local selector without an endpoint here", B + Rule("", local: "{identity: db}"),
          "p.yaml:17:23: warning: 'local' selects no identity with an endpoint on this host\n  hint: add an 'endpoints' entry for the identity, or check the selector" },
        { "duplicate identity", WithIdentity("  - name: db\n"),
          "p.yaml:9:5: error: duplicate identity 'db': first defined at p.yaml:6:5" },
        { "duplicate rule name", B + Rule("") + Rule("", header: false),
          "p.yaml:19:5: error: duplicate name 'r': already used by the rule at p.yaml:14:5\n  hint: names appear in events and metrics, so each must be unique" },
        { "rule and boundary with one name", B + Rule("") + "boundaries:\n  - name: r\n    between: {identity: host}\n    and: {identity: world}\n",
          "p.yaml:20:5: error: duplicate name 'r': already used by the rule at p.yaml:14:5\n  hint: names appear in events and metrics, so each must be unique" },
        { "same address in two identities", WithIdentity("  - name: other\n    addresses: [10.0.2.0/24]\n"),
          "p.yaml:10:17: error: address 10.0.2.0/24 is already in identity 'db' at p.yaml:8:17\n  hint: an address belongs to one identity; give the shared workloads an identity of their own" },
        { "same local address in two endpoints", WithEndpoint("  - identity: db\n    addresses: [10.0.1.10]\n"),
          "p.yaml:13:17: error: local address 10.0.1.10 already belongs to the endpoint at p.yaml:10:5" },
        { "endpoint address that is a prefix", WithEndpoint("  - identity: db\n    addresses: [10.0.2.0/24]\n"),
          "p.yaml:13:17: error: endpoint address '10.0.2.0/24' must be a single host, not a prefix" },
        { "endpoint without addresses", WithEndpoint("  - identity: db\n    addresses: []\n"),
          "p.yaml:13:16: error: an endpoint needs at least one address" },
        { "ports on icmp never match", B + Rule("protocol: icmp\n    ports: [80]"),
          "p.yaml:20:5: error: 'r' can never match: ports apply only to tcp and udp, not icmp" },
        { "ports without a protocol never match", B + Rule("ports: [80]"),
          "p.yaml:19:5: error: 'r' can never match: ports apply only to tcp and udp, not any\n  hint: set 'protocol: tcp' or 'protocol: udp'" },
        { "icmpTypes on tcp never match", B + Rule("protocol: tcp\n    icmpTypes: [8]"),
          "p.yaml:20:5: error: 'r' can never match: icmpTypes apply only to icmp and icmpv6, not tcp" },
        { "icmpv6 to IPv4-only endpoints never matches", B + Rule("protocol: icmpv6"),
          "p.yaml:14:5: error: 'r' can never match: icmpv6 is IPv6, but the endpoints it selects have only IPv4 addresses\n  hint: use 'protocol: icmp'" },
        { "allow shadowed by a boundary", B + Rule("") + "boundaries:\n  - name: split\n    between: {identity: web}\n    and: {identity: db}\n",
          "p.yaml:14:5: warning: allow rule 'r' can never allow anything: boundary 'split' separates every pair of identities it selects\n  hint: boundaries beat every allow rule (see Precedence in docs/policy.md)" },
        { "invalid mode", B + "defaults:\n  mode: enforcing\n",
          "p.yaml:14:9: error: invalid mode 'enforcing': expected one of off, monitor, enforce\n  hint: did you mean 'enforce'?" },
        { "invalid endpoint default", WithEndpoint("  - identity: db\n    addresses: [10.0.2.1]\n    ingress: block\n"),
          "p.yaml:14:14: error: invalid ingress default 'block': expected one of allow, deny" },
        { "invalid protocol", B + Rule("protocol: tpc"),
          "p.yaml:19:15: error: invalid protocol 'tpc': expected one of tcp, udp, icmp, icmpv6, any\n  hint: did you mean 'tcp'?" },
        { "invalid direction", B + Rule("").Replace("ingress", "inbound"),
          "p.yaml:16:16: error: invalid direction 'inbound': expected one of ingress, egress" },
        { "missing required key", B + "rules:\n  - name: r\n    direction: ingress\n    local: {identity: web}\n    peer: {identity: db}\n",
          "p.yaml:14:5: error: missing required key 'action' in a rule" },
        { "unknown identity", B + Rule("", peer: "{identity: dbb}"),
          "p.yaml:18:22: error: unknown identity 'dbb'\n  hint: did you mean 'db'?" },
        { "endpoint of an unknown identity", WithEndpoint("  - identity: wbe\n    addresses: [10.0.1.11]\n"),
          "p.yaml:12:15: error: unknown identity 'wbe'\n  hint: did you mean 'web'?" },
        { "reserved identity name", WithIdentity("  - name: world\n"),
          "p.yaml:9:11: error: identity name 'world' is reserved\n  hint: 'host' and 'world' always exist; select them with 'identity: host' or 'identity: world'" },
        { "invalid identity name", WithIdentity("  - name: Web_1\n"),
          "p.yaml:9:11: error: invalid identity name 'Web_1': use lowercase letters, digits and '-'" },
        { "reserved label key", WithIdentity("  - name: x\n    labels: {reserved: host}\n"),
          "p.yaml:10:14: error: label key 'reserved' is kept for the reserved identities host and world" },
        { "empty selector", B + Rule("", peer: "{}"),
          "p.yaml:18:11: error: empty selector in 'peer'\n  hint: write 'any: true' to select every identity" },
        { "any that is not true", B + Rule("", peer: "{any: false}"),
          "p.yaml:18:17: error: 'any' must be true, not 'false'\n  hint: leave 'any' out to select by identity or labels" },
        { "identity combined with labels", B + Rule("", peer: "{identity: db, matchLabels: {app: db}}"),
          "p.yaml:18:12: error: 'identity' cannot be combined with other keys in 'peer'" },
        { "Exists with values", B + Rule("", peer: "{matchExpressions: [{key: app, operator: Exists, values: [x]}]}"),
          "p.yaml:18:60: error: operator Exists takes no 'values'" },
        { "In without values", B + Rule("", peer: "{matchExpressions: [{key: app, operator: In}]}"),
          "p.yaml:18:31: error: operator In needs a non-empty 'values' list" },
        { "invalid operator", B + Rule("", peer: "{matchExpressions: [{key: app, operator: Notin, values: [x]}]}"),
          "p.yaml:18:52: error: invalid operator 'Notin': expected one of In, NotIn, Exists\n  hint: did you mean 'NotIn'?" },
        { "identity on both sides of a boundary", B + "boundaries:\n  - name: b\n    between: {matchLabels: {env: prod}}\n    and: {identity: db}\n",
          "p.yaml:14:5: error: identity 'db' is on both sides of boundary 'b'\n  hint: a boundary separates two disjoint groups; narrow 'between' or 'and'" },
        { "unsupported version", B.Replace("version: 1", "version: 2"),
          "p.yaml:1:10: error: unsupported version '2': this Microseg reads version 1" },
        { "missing version", "identities: []\n",
          "p.yaml:1:1: error: missing required key 'version' in the policy file" },
        { "empty file", "",
          "p.yaml:1:1: error: the file is empty\n  hint: a policy file starts with 'version: 1'" },
        { "file that is a list", "- version: 1\n",
          "p.yaml:1:1: error: the policy file must be a mapping, not a list" },
        { "section of the wrong type", B + "rules: {name: r}\n",
          "p.yaml:13:8: error: 'rules' must be a list, not a mapping" },
        { "two YAML documents", B + "---\nversion: 1\n",
          "p.yaml:14:1: error: a policy file holds one YAML document, but this is a second one\n  hint: remove the '---' line or split the file into an include directory" },
        { "invalid rule name", B + Rule("").Replace("name: r", "name: \"web to db\""),
          "p.yaml:14:11: error: invalid name 'web to db': use letters, digits, '.', '_' and '-' (at most 63)" },
        { "management with an empty from", B.Replace("management: []", "management:\n  - name: ssh\n    from: []"),
          "p.yaml:14:11: error: 'from' needs at least one address or prefix" },
        { "management over udp without ports", B.Replace("management: []", "management:\n  - {name: snmp, from: [10.9.0.0/16], protocol: udp}"),
          "p.yaml:13:5: warning: management entry 'snmp' opens every udp port of the endpoints it reaches to its 'from' addresses, and no rule, boundary or mode can cut it\n  hint: list the ports it needs (for example ports: [161] for SNMP); only tcp defaults to port 22" },
        { "management over any protocol without ports", B.Replace("management: []", "management:\n  - {name: all, from: [10.9.0.0/16], protocol: any}"),
          "p.yaml:13:5: warning: management entry 'all' opens every port of every protocol of the endpoints it reaches to its 'from' addresses, and no rule, boundary or mode can cut it\n  hint: list the ports it needs (for example ports: [161] for SNMP); only tcp defaults to port 22" },
        { "enforcing without management", B.Replace("management: []\n", "defaults: {mode: enforce}\n"),
          "p.yaml:10:5: warning: this endpoint enforces a default-deny ingress and no management access is declared\n  hint: add a 'management' entry (for example SSH from an admin CIDR), or write 'management: []' to have none on purpose" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_exactly_this_diagnostic(string name, string policy, string expected)
    {
        PolicyCheckResult result = PolicyText.Check(policy);

        Assert.True(expected == PolicyText.Render(result.Diagnostics),
            $"{name}:\nexpected:\n{expected}\nactual:\n{PolicyText.Render(result.Diagnostics)}");
        Assert.Equal(expected.Contains(": error: "), !result.IsValid);
    }

    [Fact]
    public void The_base_policy_is_valid_and_silent() =>
        Assert.Empty(PolicyText.Check(PolicyText.Base).Diagnostics);

    /// <summary>The base policy with <paramref name="yaml"/> added to its identities, from line 9 on.</summary>
    private static string WithIdentity(string yaml) => B.Replace("endpoints:\n", yaml + "endpoints:\n");

    /// <summary>The base policy with <paramref name="yaml"/> added to its endpoints, from line 12 on.</summary>
    private static string WithEndpoint(string yaml) => B.Replace("management: []\n", yaml + "management: []\n");

    /// <summary>An allow rule from db to web's endpoint (lines 13–19), with <paramref name="extra"/> lines after it.</summary>
    private static string Rule(string extra, string local = "{identity: web}", string peer = "{identity: db}", bool header = true) =>
        (header ? "rules:\n" : "")
        + $"  - name: r\n    action: allow\n    direction: ingress\n    local: {local}\n    peer: {peer}\n"
        + (extra.Length > 0 ? $"    {extra}\n" : "");
}
