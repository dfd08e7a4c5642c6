using Microseg.Policy.Diff;

namespace Microseg.Policy.Tests.Diff;

/// <summary>
/// Every kind of change, one row each: the base policy, the same policy with one edit, and what
/// the diff must say about it (in <see cref="DiffFixture.Lines"/> form). Both sides of every row
/// are valid policies.
/// </summary>
public sealed class DiffTableTests
{
    /// <summary>A table row; its name is what the test runner shows.</summary>
    public sealed record DiffCase(string Name, string Old, string New, string[] Expected)
    {
        public override string ToString() => Name;
    }

    private const string HttpsIn = "  - name: https-in\n    action: allow\n    direction: ingress\n";
    private const string WebEndpoint = "  - identity: web\n    addresses: [10.0.1.10]\n";
    private const string PingIn =
        "  - name: ping-in\n    action: allow\n    direction: ingress\n    local: {identity: web}\n    peer: {any: true}\n    protocol: icmp\n    icmpTypes: [8]\n";

    public static TheoryData<DiffCase> Cases => new(
        Row("the same policy", []),
        Row("labels, selector terms and ports in another order, or written another way, are no change", [],
            ("{app: web, env: prod}", "{env: prod, app: web}"), ("ports: [443]", "ports: [\"443-443\"]")),

        // Identities.
        Row("identity added", ["identity + partner: labels {org=partner}; addresses 203.0.113.0/24"],
            ("endpoints:\n", "  - name: partner\n    labels: {org: partner}\n    addresses: [203.0.113.0/24]\nendpoints:\n")),
        Row("identity removed", ["identity - office"],
            ("  - name: office\n    labels: {location: office}\n    addresses: [172.16.0.0/16]\n", "")),
        Row("identity label value changed", ["identity ~ web labels.env: prod -> staging"],
            ("{app: web, env: prod}", "{app: web, env: staging}")),
        Row("identity label added", ["identity ~ office labels.floor: (none) -> 3"],
            ("labels: {location: office}", "labels: {location: office, floor: \"3\"}")),
        Row("identity label removed", ["identity ~ web labels.env: prod -> (none)"],
            ("{app: web, env: prod}", "{app: web}")),
        Row("identity address added", ["identity ~ db addresses: 10.0.2.0/24 -> 10.0.2.0/24, 10.0.3.0/24 [+10.0.3.0/24]"],
            ("[10.0.2.0/24]", "[10.0.3.0/24, 10.0.2.0/24]")),
        Row("identity address replaced", ["identity ~ db addresses: 10.0.2.0/24 -> 10.0.4.0/24 [+10.0.4.0/24 -10.0.2.0/24]"],
            ("[10.0.2.0/24]", "[10.0.4.0/24]")),

        // Endpoints, and the mode changes they carry.
        Row("endpoint mode monitor to enforce", ["mode web: monitor -> enforce", "endpoint ~ web mode: monitor -> enforce"],
            (WebEndpoint, WebEndpoint + "    mode: enforce\n")),
        Row("endpoint mode to off", ["mode web: monitor -> off", "endpoint ~ web mode: monitor -> off"],
            (WebEndpoint, WebEndpoint + "    mode: off\n")),
        Row("default mode changes every endpoint that inherits it",
            ["mode web: monitor -> enforce", "defaults ~ mode: monitor -> enforce", "endpoint ~ web mode: monitor -> enforce"],
            ("  mode: monitor\n", "  mode: enforce\n")),
        Row("default mode change an endpoint overrides is no mode change",
            ["defaults ~ mode: monitor -> enforce"],
            ("  mode: monitor\n", "  mode: enforce\n"), (WebEndpoint, WebEndpoint + "    mode: monitor\n")),
        Row("default verdicts changed",
            ["defaults ~ ingress: deny -> allow", "defaults ~ egress: allow -> deny",
             "endpoint ~ web ingress: deny -> allow", "endpoint ~ web egress: allow -> deny"],
            ("  ingress: deny\n  egress: allow\n", "  ingress: allow\n  egress: deny\n")),
        Row("endpoint added", ["mode db: (none) -> monitor", "endpoint + db: 10.0.2.5; mode monitor, ingress deny, egress allow"],
            ("rules:\n", "  - identity: db\n    addresses: [10.0.2.5]\nrules:\n")),
        Row("a second endpoint of one identity", ["mode web#2: (none) -> monitor", "endpoint + web#2: 10.0.1.11; mode monitor, ingress deny, egress allow"],
            (WebEndpoint, WebEndpoint + "  - identity: web\n    addresses: [10.0.1.11]\n")),
        Row("endpoint removed", ["mode web: monitor -> (none)", "endpoint - web"],
            (WebEndpoint, "")),
        Row("endpoint address added", ["endpoint ~ web addresses: 10.0.1.10 -> 10.0.1.10, 2001:db8::10 [+2001:db8::10]"],
            (WebEndpoint, "  - identity: web\n    addresses: [\"2001:db8::10\", 10.0.1.10]\n")),
        Row("endpoint ingress verdict changed", ["endpoint ~ web ingress: deny -> allow"],
            (WebEndpoint, WebEndpoint + "    ingress: allow\n")),

        // Rules.
        Row("rule added", ["rule + dns-out: allow egress udp ports 53; local identity web; peer any"],
            (PingIn, PingIn + "  - name: dns-out\n    action: allow\n    direction: egress\n    local: {identity: web}\n    peer: {any: true}\n    protocol: udp\n    ports: [53]\n")),
        Row("rule removed", ["rule - ping-in"], (PingIn, "")),
        Row("rule renamed is one removed and one added",
            ["rule + https-from-office: allow ingress tcp ports 443; local identity web; peer {location=office}", "rule - https-in"],
            ("name: https-in", "name: https-from-office")),
        Row("rule action", ["rule ~ https-in action: allow -> deny"],
            (HttpsIn, HttpsIn.Replace("allow", "deny"))),
        Row("rule direction", ["rule ~ https-in direction: ingress -> egress"],
            (HttpsIn, HttpsIn.Replace("direction: ingress", "direction: egress"))),
        Row("rule local selector", ["rule ~ https-in local: identity web -> {app=web}"],
            ("local: {identity: web}\n    peer: {matchLabels", "local: {matchLabels: {app: web}}\n    peer: {matchLabels")),
        Row("rule peer selector", ["rule ~ https-in peer: {location=office} -> {location In [home, office]}"],
            ("peer: {matchLabels: {location: office}}", "peer: {matchExpressions: [{key: location, operator: In, values: [office, home]}]}")),
        Row("rule protocol", ["rule ~ https-in protocol: tcp -> udp"],
            ("protocol: tcp", "protocol: udp")),
        Row("rule port added", ["rule ~ https-in ports: 443 -> 443, 8443-8444 [+8443-8444]"],
            ("ports: [443]", "ports: [443, \"8443-8444\"]")),
        Row("rule ports removed means any port", ["rule ~ https-in ports: 443 -> any [-443]"],
            ("    ports: [443]\n", "")),
        Row("rule ICMP types", ["rule ~ ping-in icmpTypes: 8 -> 0, 8 [+0]"],
            ("icmpTypes: [8]", "icmpTypes: [8, 0]")),
        Row("rule with several fields changed lists them in key order",
            ["rule ~ https-in action: allow -> deny", "rule ~ https-in protocol: tcp -> any", "rule ~ https-in ports: 443 -> any [-443]"],
            (HttpsIn, HttpsIn.Replace("allow", "deny")), ("    protocol: tcp\n    ports: [443]\n", "    protocol: any\n")),

        // Boundaries.
        Row("boundary added", ["boundary + web-not-db: between identity web and identity db"],
            ("boundaries:\n", "boundaries:\n  - name: web-not-db\n    between: {identity: web}\n    and: {identity: db}\n")),
        Row("boundary removed", ["boundary - db-not-office"],
            ("boundaries:\n  - name: db-not-office\n    between: {identity: db}\n    and: {matchLabels: {location: office}}\n", "")),
        Row("boundary sides", ["boundary ~ db-not-office between: identity db -> {app=db}", "boundary ~ db-not-office and: {location=office} -> identity office"],
            ("between: {identity: db}", "between: {matchLabels: {app: db}}"), ("and: {matchLabels: {location: office}}", "and: {identity: office}")),

        // Management.
        Row("management added", ["management + monitoring: from 10.9.0.0/16; tcp ports 9100; local identity web"],
            ("management:\n", "management:\n  - name: monitoring\n    from: [10.9.0.0/16]\n    ports: [9100]\n    local: {identity: web}\n")),
        Row("management removed", ["management - admin-ssh"],
            ("management:\n  - name: admin-ssh\n    from: [192.0.2.0/28]\n", "management: []\n")),
        Row("management from", ["management ~ admin-ssh from: 192.0.2.0/28 -> 192.0.2.0/28, 2001:db8:ad::/48 [+2001:db8:ad::/48]"],
            ("from: [192.0.2.0/28]", "from: [192.0.2.0/28, \"2001:db8:ad::/48\"]")),
        Row("management ports and local", ["management ~ admin-ssh ports: 22 -> 22, 2222 [+2222]", "management ~ admin-ssh local: any -> identity web"],
            ("from: [192.0.2.0/28]\n", "from: [192.0.2.0/28]\n    ports: [2222, 22]\n    local: {identity: web}\n")),
        Row("management protocol", ["management ~ admin-ssh protocol: tcp -> udp", "management ~ admin-ssh ports: 22 -> 161 [+161 -22]"],
            ("from: [192.0.2.0/28]\n", "from: [192.0.2.0/28]\n    protocol: udp\n    ports: [161]\n")));

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_diff_says_what_changed(DiffCase row)
    {
        PolicyDiffResult result = PolicyDiff.Compare(DiffFixture.Load(row.Old), DiffFixture.Load(row.New));

        Assert.Equal(row.Expected, DiffFixture.Lines(result));
        Assert.Equal(row.Expected.Length > 0, result.HasChanges);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_reverse_diff_says_the_opposite(DiffCase row)
    {
        PolicyDiffResult forward = PolicyDiff.Compare(DiffFixture.Load(row.Old), DiffFixture.Load(row.New));
        PolicyDiffResult backward = PolicyDiff.Compare(DiffFixture.Load(row.New), DiffFixture.Load(row.Old));

        Assert.Equal(forward.Entries.Count(e => e.Kind == ChangeKind.Added), backward.Entries.Count(e => e.Kind == ChangeKind.Removed));
        Assert.Equal(forward.Entries.Count(e => e.Kind == ChangeKind.Changed), backward.Entries.Count(e => e.Kind == ChangeKind.Changed));
        Assert.Equal(forward.ModeChanges.Select(m => (m.Endpoint, m.Old, m.New)), backward.ModeChanges.Select(m => (m.Endpoint, m.New, m.Old)));
    }

    // A row whose new policy is the base with each (find, replace) applied; each find must occur exactly once.
    private static DiffCase Row(string name, string[] expected, params (string Find, string Replace)[] edits)
    {
        string text = DiffFixture.Base;
        foreach ((string find, string replace) in edits)
        {
            int at = text.IndexOf(find, StringComparison.Ordinal);
            if (at < 0 || text.IndexOf(find, at + 1, StringComparison.Ordinal) >= 0)
            {
                throw new ArgumentException($"row '{name}': '{find}' must occur exactly once in the base policy");
            }

            text = string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length));
        }

        return new DiffCase(name, DiffFixture.Base, text, expected);
    }
}
