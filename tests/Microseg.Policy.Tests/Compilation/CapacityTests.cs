using Microseg.Datapath.Loading;
using Microseg.Policy.Compilation;
using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>"More entries than the maps hold", found before anything is written, with a position.</summary>
public sealed class CapacityTests
{
    private static string PortsRule(string name, int ranges, int start) => $"""
          - name: {name}
            action: allow
            direction: ingress
            local: {"{identity: web}"}
            peer: {"{identity: db}"}
            protocol: tcp
            ports: [{string.Join(", ", Enumerable.Range(0, ranges).Select(i => $"\"{start + i * 10}-{start + i * 10 + 5}\""))}]

        """;

    [Fact]
    public void Seventeen_ranges_under_one_key_point_at_the_rules()
    {
        string text = PolicyText.Base + "rules:\n" + PortsRule("ten", 10, 1000) + PortsRule("seven", 7, 5000);
        CompiledPolicy p = Compile.Text(text);
        Diagnostic problem = Assert.Single(p.CapacityProblems);
        Assert.Equal("p.yaml:14:5: error: more entries than the maps hold: 'web' ingress tcp with peer 'db' needs 17 port ranges after merging, and the kernel holds 16 per endpoint, peer, direction and protocol\n" +
            "  hint: the ranges come from 'ten', 'seven'; use fewer ranges (single ports do not count) or merge adjacent ones", problem.ToString());

        PolicyCheckResult checkedText = PolicyChecker.CheckText("p.yaml", text, [PolicyCapacityCheck.Default]);
        Assert.False(checkedText.IsValid);
        Assert.Equal(problem, Assert.Single(checkedText.Diagnostics));
    }

    [Fact]
    public void Sixteen_ranges_fit()
    {
        CompiledPolicy p = Compile.Text(PolicyText.Base + "rules:\n" + PortsRule("sixteen", 16, 1000));
        Assert.Empty(p.CapacityProblems);
        Assert.Equal(16u, Assert.Single(p.Image.Ranges).Value.Count);
    }

    [Fact]
    public void A_full_map_is_reported_at_the_rule_where_it_runs_out()
    {
        var rules = string.Concat(Enumerable.Range(0, 5).Select(i => $"""
              - name: r{i}
                action: allow
                direction: {(i % 2 == 0 ? "ingress" : "egress")}
                local: {"{identity: web}"}
                peer: {"{identity: db}"}
                protocol: {(i < 2 ? "tcp" : i < 4 ? "udp" : "icmp")}

            """));
        string text = PolicyText.Base + "rules:\n" + rules;
        CompiledPolicy p = new PolicyCompiler().Compile(Compile.Document(text), DatapathCapacities.Default with { PolicyKeysPerSlot = 4 });
        Diagnostic problem = Assert.Single(p.CapacityProblems);
        Assert.Equal("more entries than the maps hold: the policy needs 5 policy keys and the datapath holds 4; they run out here", problem.Message);
        Assert.Equal((14 + 4 * 6, 5), (problem.Line, problem.Column)); // rule r4: six lines a rule, from line 14
    }

    [Fact]
    public void Rule_ids_past_the_rule_counters_are_reported()
    {
        string text = PolicyText.Base + "rules:\n" + PortsRule("a", 1, 100) + PortsRule("b", 1, 200);
        CompiledPolicy p = new PolicyCompiler().Compile(Compile.Document(text), DatapathCapacities.Default with { Rules = 2 });
        Diagnostic problem = Assert.Single(p.CapacityProblems);
        Assert.Contains("the rule counters hold 1", problem.Message);
        Assert.Equal(13 + 8, problem.Line);
    }

    [Fact]
    public void The_command_line_check_reports_capacity_problems()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("policy.yaml", PolicyText.Base + "rules:\n" + PortsRule("ten", 10, 1000) + PortsRule("seven", 7, 5000));
        var output = new StringWriter();
        int exit = Microseg.Cli.Program.Run(["policy", "check", path], output, new StringWriter());
        Assert.Equal(1, exit);
        Assert.Contains(":14:5: error: more entries than the maps hold:", output.ToString());
    }
}
