using Microseg.Flows.Discovery;
using Microseg.Flows.Records;
using Microseg.Flows.Replay;
using Microseg.Flows.Suggestion;
using Microseg.Flows.Yaml;
using Microseg.Policy;
using Microseg.Policy.Diff;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Flows.Tests;

/// <summary>policy suggest: a valid policy allowing exactly what was observed.</summary>
public sealed class SuggestionTests
{
    private static PolicyDocument LabPolicy()
    {
        PolicyCheckResult check = PolicyChecker.CheckText("lab.yaml", Lab.Policy);
        Assert.True(check.IsValid, string.Join("\n", check.Diagnostics));
        return check.Document!;
    }

    private static Verdict Judge(PolicyDocument policy, string local, string remote, Direction direction, byte protocol, ushort port) =>
        FlowReplay.JudgeAlone(new ReferenceEvaluator(policy), FlowReplay.FirstPacket(new EdgeKey("l", "p", direction, protocol, port),
            new AddressPair(Datapath.Abi.IpAddress16.Parse(local), Datapath.Abi.IpAddress16.Parse(remote)))).Outcome;

    private static void AllowsEveryWantedFlowAndNoDeniedOne(PolicySuggestion suggestion, DiscoveryGraph graph)
    {
        Assert.True(PolicyChecker.CheckText("s.yaml", suggestion.Yaml).IsValid);
        var evaluator = new ReferenceEvaluator(suggestion.Document);
        foreach (DiscoveryEdge edge in graph.Edges)
        {
            foreach (AddressPair sample in edge.Samples)
            {
                Verdict outcome = FlowReplay.JudgeAlone(evaluator, FlowReplay.FirstPacket(edge.Key, sample)).Outcome;
                Assert.True(edge.Wanted > 0 ? outcome == Verdict.Allow : FlowReplay.Blocks(outcome), $"{edge.Key} {sample}: {outcome}");
            }
        }
    }

    [Fact]
    public void Without_a_policy_identities_come_from_observed_addresses()
    {
        DiscoveryGraph graph = DiscoveryGraph.Of(Lab.Day());

        PolicySuggestion suggestion = PolicySuggester.Suggest(graph);

        AllowsEveryWantedFlowAndNoDeniedOne(suggestion, graph);
        Assert.Equal(["api", "db", "dns", "web"], suggestion.AddedIdentities.Order());
        Assert.Equal(["10.0.2.20"], suggestion.Document.Identities.Single(i => i.Name == "api").Addresses.Select(a => a.ToString()));
        Assert.Equal(["api", "db", "web"], suggestion.Document.Endpoints.Select(e => e.Identity).Order());
        Assert.Equal((EndpointMode.Monitor, RuleAction.Deny, RuleAction.Deny),
            (suggestion.Document.Defaults.Mode, suggestion.Document.Defaults.Ingress, suggestion.Document.Defaults.Egress));
        Assert.Contains("  - name: db-from-api-tcp\n    action: allow\n    direction: ingress\n    local: {identity: db}\n    peer: {identity: api}\n    protocol: tcp\n    ports: [\"5432-5434\"]\n", suggestion.Yaml);
        Assert.Contains("  # api -> db: tcp/5432 ×1, tcp/5433 ×1, tcp/5434 ×1; 3 flow(s) (3 allowed, 0 would deny), first seen 2026-11-21T10:20:00Z, last seen 2026-11-21T10:20:00Z\n  - name: db-from-api-tcp\n", suggestion.Yaml);
        Assert.Contains("# world -> db: tcp/5432 ×2; 2 flow(s) (0 allowed, 2 would deny)", suggestion.Yaml);
    }

    [Fact]
    public void Flows_not_observed_are_denied()
    {
        PolicySuggestion suggestion = PolicySuggester.Suggest(DiscoveryGraph.Of(Lab.Day()), LabPolicy());

        Assert.Equal(Verdict.Allow, Judge(suggestion.Document, Lab.Web, Lab.Customer, Direction.Ingress, 6, 443));
        Assert.Equal(Verdict.WouldDeny, Judge(suggestion.Document, Lab.Web, Lab.Customer, Direction.Ingress, 6, 80));
        Assert.Equal(Verdict.WouldDeny, Judge(suggestion.Document, Lab.Db, Lab.Web, Direction.Ingress, 6, 5432));
        Assert.Equal(Verdict.WouldDeny, Judge(suggestion.Document, Lab.Db, Lab.Api, Direction.Ingress, 6, 5435));
        Assert.Equal(Verdict.WouldDeny, Judge(suggestion.Document, Lab.Api, Lab.Attacker, Direction.Ingress, 6, 22));
        Assert.Equal(Verdict.WouldDeny, Judge(suggestion.Document, Lab.Web, "1.1.1.1", Direction.Egress, 17, 53));
    }

    [Fact]
    public void With_a_policy_rules_select_by_the_fewest_labels_that_name_one_identity()
    {
        DiscoveryGraph graph = DiscoveryGraph.Of(Lab.Day());

        PolicySuggestion suggestion = PolicySuggester.Suggest(graph, LabPolicy());

        AllowsEveryWantedFlowAndNoDeniedOne(suggestion, graph);
        Assert.Empty(suggestion.AddedIdentities);
        Assert.Contains("    local: {matchLabels: {tier: db}}\n    peer: {matchLabels: {tier: api}}\n", suggestion.Yaml);
        Assert.Contains("    local: {matchLabels: {tier: web}}\n    peer: {identity: world}\n", suggestion.Yaml);
        Assert.Contains("    peer: {matchLabels: {service: dns}}\n    protocol: udp\n    ports: [53]\n", suggestion.Yaml);
        Assert.Contains("    protocol: icmp\n    icmpTypes: [8]\n", suggestion.Yaml);
        Assert.DoesNotContain("mode: enforce", suggestion.Yaml); // the suggestion owns the defaults: monitor first
        Assert.Equal(10, suggestion.Added.Count);
    }

    [Fact]
    public void World_groups_become_identities_of_their_prefix()
    {
        DiscoveryGraph graph = DiscoveryGraph.Of(Lab.Day(), DiscoveryOptions.WorldByCidr);

        PolicySuggestion suggestion = PolicySuggester.Suggest(graph, LabPolicy());

        AllowsEveryWantedFlowAndNoDeniedOne(suggestion, graph);
        Assert.Contains("world-198-51-100-0-24", suggestion.AddedIdentities);
        Assert.Equal(Verdict.WouldDeny, Judge(suggestion.Document, Lab.Db, "192.0.2.1", Direction.Ingress, 6, 5432));
        Assert.Equal(Verdict.Allow, Judge(suggestion.Document, Lab.Db, "198.51.100.99", Direction.Ingress, 6, 5432));
    }

    [Fact]
    public void Merge_adds_only_what_the_current_policy_does_not_allow()
    {
        PolicyDocument current = LabPolicy();
        List<FlowRecord> day = Lab.Day();
        day.Add(Lab.Flow(Lab.Db, Lab.Attacker, Direction.Ingress, 6, 22, Datapath.Abi.Verdict.WouldDeny, rule: "no-ssh", minute: 40));
        DiscoveryGraph graph = DiscoveryGraph.Of(day);

        PolicySuggestion merged = PolicySuggester.Suggest(graph, current, merge: true);

        SuggestedRule added = Assert.Single(merged.Added);
        Assert.Equal("db-from-world-tcp", added.Rule.Name);
        Assert.Equal(5432, added.Rule.Ports.Single().First);
        Assert.Equal(current.Rules.Select(r => r.Name).Append("db-from-world-tcp"), merged.Document.Rules.Select(r => r.Name));
        Assert.Equal(13, merged.AlreadyAllowed);
        Assert.Contains(merged.Notes, n => n.StartsWith("tcp/22 from world to db (seen at db, ingress) is denied by rule 'no-ssh'", StringComparison.Ordinal));
        Assert.Contains("mode: enforce", merged.Yaml);
        Assert.Equal(Verdict.Allow, Judge(merged.Document, Lab.Db, Lab.Attacker, Direction.Ingress, 6, 5432));

        // Merging again adds nothing.
        PolicySuggestion again = PolicySuggester.Suggest(graph, merged.Document, merge: true);
        Assert.Empty(again.Added);
    }

    [Fact]
    public void The_writer_reads_back_to_the_same_policy()
    {
        foreach (string example in new[] { "three-tier.yaml", "pci-boundary.yaml", "monitor-first.yaml" })
        {
            PolicyCheckResult original = PolicyChecker.CheckFile(Path.Combine(Lab.RepositoryRoot(), "docs", "examples", example));
            string yaml = PolicyYamlWriter.Write(original.Document!);
            PolicyCheckResult back = PolicyChecker.CheckText("back.yaml", yaml);

            Assert.True(back.Document is not null && !back.Diagnostics.Any(d => d.IsError), example + "\n" + string.Join("\n", back.Diagnostics) + "\n" + yaml);
            Assert.False(PolicyDiff.Compare(original.Document!, back.Document!).HasChanges, example);
        }
    }

    [Theory]
    [InlineData(new[] { 80, 81, 82, 443 }, 16, "80-82,443", 0)]
    [InlineData(new[] { 1, 3, 10, 11, 20 }, 2, "1-11,20", 7)]
    [InlineData(new[] { 5, 5, 5 }, 1, "5", 0)]
    public void Ports_merge_into_ranges_and_widen_only_to_fit(int[] ports, int max, string expected, int widened)
    {
        var ranges = PortRanges.Merge(ports, max, out int extra);

        Assert.Equal(expected, string.Join(",", ranges));
        Assert.Equal(widened, extra);
    }

    [Fact]
    public void More_than_sixteen_ranges_are_widened_and_the_comment_says_so()
    {
        var records = Enumerable.Range(0, 20).Select(i => Lab.Flow(Lab.Web, Lab.Customer, Direction.Ingress, 6, (ushort)(1000 + (i * 10)))).ToList();

        PolicySuggestion suggestion = PolicySuggester.Suggest(DiscoveryGraph.Of(records));

        SuggestedRule rule = Assert.Single(suggestion.Added);
        Assert.Equal(16, rule.Rule.Ports.Count);
        Assert.Equal(36, rule.WidenedPorts);
        Assert.Contains("  # the ranges also allow 36 value(s) never observed, to fit the kernel's 16 ranges\n", suggestion.Yaml);
    }
}
