using Microseg.Policy.Evaluation;
using Microseg.Datapath.Abi;
using static Microseg.Datapath.Abi.VerdictReason;
using static Microseg.Datapath.Abi.Verdict;
using static Microseg.Policy.Tests.Evaluation.Packets;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>Each precedence level against the ones below it, and file order choosing the reported rule.</summary>
public sealed class PrecedenceTests
{
    private const string Layers = """
        version: 1
        defaults: {mode: enforce, ingress: deny, egress: allow}
        identities:
          - {name: web, labels: {app: web, env: prod}, addresses: [10.0.1.10]}
          - {name: admins, labels: {role: admin}, addresses: [10.9.0.0/16]}
          - {name: dev, labels: {env: dev}, addresses: [10.3.0.0/16]}
        endpoints:
          - {identity: web, addresses: [10.0.1.10]}
        management:
          - {name: m-ssh, from: [10.9.0.0/16]}
        boundaries:
          - {name: b-dev, between: {identity: web}, and: {matchLabels: {env: dev}}}
        rules:
          - {name: d-low, action: deny, direction: ingress, local: {any: true}, peer: {any: true}, protocol: tcp, ports: ["22-23"]}
          - {name: a-wide, action: allow, direction: ingress, local: {identity: web}, peer: {any: true}, protocol: tcp, ports: ["22-80"]}
          - {name: a-web, action: allow, direction: ingress, local: {identity: web}, peer: {any: true}, protocol: tcp, ports: [80]}
          - {name: d-second, action: deny, direction: ingress, local: {identity: web}, peer: {any: true}, protocol: tcp, ports: [23]}
        """;

    [Theory]
    [InlineData("10.9.1.1", 22, Allow, PolicyRule, "m-ssh", "management")]     // management beats the deny rule
    [InlineData("10.3.0.5", 22, Deny, PolicyRule, "b-dev", "boundary")]        // not from the admin network: the boundary
    [InlineData("10.3.0.5", 80, Deny, PolicyRule, "b-dev", "boundary")]        // the boundary beats two allows
    [InlineData("10.9.1.1", 23, Deny, PolicyRule, "d-low", "rule")]            // management is port 22 only; first deny in file order
    [InlineData("198.51.100.1", 23, Deny, PolicyRule, "d-low", "rule")]        // deny beats allow
    [InlineData("198.51.100.1", 80, Allow, PolicyRule, "a-wide", "rule")]      // first allow in file order
    [InlineData("198.51.100.1", 81, Deny, PolicyDefault, null, null)]          // no rule: the ingress default
    public void Levels_in_order(string from, int port, Verdict outcome, VerdictReason reason, string? rule, string? kind)
    {
        Judgement j = Policies.Evaluator(Layers).Judge(Tcp(from, "10.0.1.10", (ushort)port, In));

        Policies.Expect(j, outcome, reason, rule, kind);
    }

    [Fact]
    public void Management_is_inbound_only()
    {
        Judgement j = Policies.Evaluator(Layers).Judge(Tcp("10.0.1.10", "10.9.1.1", 22, Out));

        Policies.Expect(j, Allow, PolicyDefault);
    }

    [Fact]
    public void Management_beats_an_enforcing_boundary_even_for_a_peer_across_it()
    {
        // 10.3.9.9 is 'dev', across the boundary; the management entry names it by address.
        string policy = Layers.Replace("from: [10.9.0.0/16]", "from: [10.9.0.0/16, 10.3.9.9]");

        Judgement j = Policies.Evaluator(policy).Judge(Tcp("10.3.9.9", "10.0.1.10", 22, In));

        Policies.Expect(j, Allow, PolicyRule, "m-ssh", "management");
        Assert.Contains("overrides boundary 'b-dev', deny rule 'd-low'.", j.Explanation);
    }

    [Fact]
    public void File_order_changes_the_reported_rule_never_the_verdict()
    {
        string swapped = Layers
            .Replace("  - {name: a-wide", "  - {name: TMP")
            .Replace("  - {name: a-web", "  - {name: a-wide")
            .Replace("  - {name: TMP", "  - {name: a-web");
        // After the swap the rule named a-web is the wide one, first in the file; both match port 80.
        Judgement before = Policies.Evaluator(Layers).Judge(Tcp("198.51.100.1", "10.0.1.10", 80, In));
        Judgement after = Policies.Evaluator(swapped).Judge(Tcp("198.51.100.1", "10.0.1.10", 80, In));

        Assert.Equal((Allow, "a-wide"), (before.Outcome, before.RuleName));
        Assert.Equal((Allow, "a-web"), (after.Outcome, after.RuleName));
        Assert.Contains("Also matching at this level (same verdict, later in file order): 'a-web'", before.Explanation);
    }

    [Fact]
    public void Rules_in_an_included_file_come_after_the_main_file()
    {
        using var dir = new TempDirectory();
        string main = dir.Write("policy.yaml", Layers + "\ninclude: conf.d\n");
        dir.Write("conf.d/10-x.yaml", "rules:\n  - {name: a-included, action: allow, direction: ingress, local: {identity: web}, peer: {any: true}, protocol: tcp, ports: [80, 81]}\n");
        PolicyCheckResult result = PolicyChecker.CheckFile(main);
        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        var evaluator = new ReferenceEvaluator(result.Document!);

        Policies.Expect(evaluator.Judge(Tcp("198.51.100.1", "10.0.1.10", 80, In)), Allow, PolicyRule, "a-wide");
        Judgement j = evaluator.Judge(Tcp("198.51.100.1", "10.0.1.10", 81, In));
        Policies.Expect(j, Allow, PolicyRule, "a-included");
        Assert.Equal(Path.Combine(dir.Path, "conf.d", "10-x.yaml"), j.RulePosition!.Value.File);
    }

    [Theory]
    [InlineData("allow", "deny", Allow)]
    [InlineData("deny", "allow", Deny)]
    public void The_default_is_per_endpoint_and_per_direction(string ingress, string egress, Verdict inbound)
    {
        string policy = $$"""
            version: 1
            defaults: {mode: enforce}
            identities:
              - {name: web, labels: {app: web}, addresses: [10.0.1.10]}
            endpoints:
              - {identity: web, addresses: [10.0.1.10], ingress: {{ingress}}, egress: {{egress}}}
            management: []
            """;
        ReferenceEvaluator evaluator = Policies.Evaluator(policy);

        Policies.Expect(evaluator.Judge(Tcp("198.51.100.1", "10.0.1.10", 80, In)), inbound, PolicyDefault);
        Policies.Expect(evaluator.Judge(Tcp("10.0.1.10", "198.51.100.1", 80, Out)), inbound == Allow ? Deny : Allow, PolicyDefault);
    }
}
