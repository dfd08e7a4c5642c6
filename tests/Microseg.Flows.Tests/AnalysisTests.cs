using Microseg.Flows.Exposure;
using Microseg.Flows.Lint;
using Microseg.Flows.Simulation;
using Microseg.Policy;
using Microseg.Policy.Model;

namespace Microseg.Flows.Tests;

/// <summary>policy simulate, lint and exposure on the lab and the documented examples.</summary>
public sealed class AnalysisTests
{
    private static PolicyDocument Policy(string text)
    {
        PolicyCheckResult check = PolicyChecker.CheckText("p.yaml", text);
        Assert.True(check.IsValid, string.Join("\n", check.Diagnostics));
        return check.Document!;
    }

    private static string Append(string rules) => Lab.Policy.Replace("management: []\n", rules + "management: []\n", StringComparison.Ordinal);

    private const string WorldToDb = """
          - name: db-from-world
            action: allow
            direction: ingress
            local: {identity: db}
            peer: {identity: world}
            protocol: tcp
            ports: [5432]

        """;

    [Fact]
    public void Simulation_reports_what_a_new_policy_newly_blocks_and_allows()
    {
        PolicyDocument next = Policy(Append(WorldToDb).Replace("ports: [443]", "ports: [8443]", StringComparison.Ordinal));

        SimulationReport report = PolicySimulator.Run(Lab.Day(), next);

        Assert.Equal((ulong)Lab.Day().Count, report.Replayed);
        SimulatedChange blocked = Assert.Single(report.NewlyBlocked);
        Assert.Equal(("world", "web", "tcp/443", "default", 10ul), (blocked.From, blocked.To, blocked.Service, blocked.Rule, blocked.Flows));
        Assert.Equal((Lab.Start, Lab.Start.AddMinutes(9)), (blocked.FirstSeen, blocked.LastSeen));
        SimulatedChange allowed = Assert.Single(report.NewlyAllowed);
        Assert.Equal(("world", "db", "tcp/5432", "db-from-world", 2ul), (allowed.From, allowed.To, allowed.Service, allowed.Rule, allowed.Flows));
        Assert.Equal(report.Replayed - 12, report.Unchanged);
    }

    [Fact]
    public void Simulating_the_current_policy_against_itself_changes_nothing()
    {
        PolicyDocument current = Policy(Lab.Policy);

        SimulationReport recorded = PolicySimulator.Run(Lab.Day(), current);
        SimulationReport judged = PolicySimulator.Run(Lab.Day(), current, current);

        Assert.Empty(recorded.NewlyBlocked.Concat(recorded.NewlyAllowed)); // the lab's records agree with its policy
        Assert.Empty(judged.NewlyBlocked.Concat(judged.NewlyAllowed));
    }

    [Fact]
    public void Lint_finds_rules_never_hit_shadowed_and_broad()
    {
        PolicyDocument policy = Policy(Append("""
              - name: unused
                action: allow
                direction: ingress
                local: {identity: web}
                peer: {identity: dns}
                protocol: tcp
                ports: [9999]
              - name: ssh-from-world
                action: allow
                direction: ingress
                local: {any: true}
                peer: {identity: world}
                protocol: tcp
                ports: [22]
              - name: https-again
                action: allow
                direction: ingress
                local: {matchLabels: {tier: web}}
                peer: {any: true}
                protocol: tcp
                ports: ["443"]
              - name: web-out
                action: allow
                direction: egress
                local: {identity: web}
                peer: {any: true}

            """));

        IReadOnlyList<LintFinding> findings = PolicyLinter.Lint(policy, Lab.Day());

        Assert.Equal(
            [
                (LintKind.NeverHit, "unused"),
                (LintKind.Shadowed, "ssh-from-world"),
                (LintKind.Shadowed, "https-again"),
                (LintKind.Broad, "web-out"),
            ],
            findings.Select(f => (f.Kind, f.Rule)));
        Assert.Equal("rule 'ssh-from-world' can never decide a packet: everything it matches is decided first by deny rule 'no-ssh'", findings[1].Message);
        Assert.Equal("rule 'https-again' can never decide a packet: everything it matches is decided first by allow rule 'https-from-world'", findings[2].Message);
        Assert.Equal("rule 'web-out' allows any protocol from any remote (world), but its 1 recorded flow(s) fit a narrower rule", findings[3].Message);
        Assert.Equal("protocol: udp, ports: [53], peer: {identity: dns}", findings[3].Suggestion);
        Assert.StartsWith("p.yaml:", findings[0].ToString());
    }

    [Fact]
    public void A_rule_left_something_is_not_shadowed()
    {
        PolicyDocument policy = Policy(Append("""
              - name: ssh-and-more
                action: allow
                direction: ingress
                local: {any: true}
                peer: {identity: world}
                protocol: tcp
                ports: ["22-23"]

            """));

        Assert.DoesNotContain(PolicyLinter.Lint(policy, Lab.Day()), f => f.Kind == LintKind.Shadowed);
    }

    [Fact]
    public void Exposure_of_the_three_tier_example_against_a_flat_network()
    {
        PolicyCheckResult check = PolicyChecker.CheckFile(Path.Combine(Lab.RepositoryRoot(), "docs", "examples", "three-tier.yaml"));

        ExposureReport report = ExposureCalculator.Compute(check.Document!);

        // 6 identities (host, world, web, app, db, dns); pairs with an endpoint (web, app, db) on either side: 36 - 3*3.
        Assert.Equal(27, report.Pairs.Count);
        Assert.Equal(27 * 131073L, report.Total);
        Assert.Equal(
            ["app->db tcp 1", "app->dns udp 1", "db->dns udp 1", "dns->web tcp 1", "host->web tcp 1", "web->app tcp 1", "web->dns udp 1", "world->web tcp 1"],
            report.Pairs.Where(p => p.Reachable > 0).Select(p => $"{p.From}->{p.To} {(p.TcpPorts > 0 ? "tcp" : "udp")} {p.Reachable}").Order());
        Assert.Equal(8, report.Reachable);
        Assert.Equal(8, report.ReachablePairs);
        Assert.Equal(1 - (8.0 / (27 * 131073)), report.Reduction, 12);
        Assert.Equal(1 - (8.0 / 27), report.PairReduction, 12);

        IdentityExposure web = report.Identities.Single(i => i.Identity == "web");
        Assert.Equal((2L, 6 * 131073L, 3L, 6 * 131073L, 2, 3), (web.Reach, web.ReachTotal, web.Exposed, web.ExposedTotal, web.PeersReached, web.PeersExposedTo));
    }

    [Fact]
    public void A_policy_that_allows_everything_is_a_flat_network()
    {
        PolicyDocument open = Policy("""
            version: 1
            defaults: {ingress: allow, egress: allow}
            identities:
              - name: a
                addresses: [10.0.0.1]
            endpoints:
              - identity: a
                addresses: [10.0.0.1]

            """);

        ExposureReport report = ExposureCalculator.Compute(open);

        Assert.Equal(5, report.Pairs.Count); // a with host, world, a: (a,*) 3 + (host,a) + (world,a)
        Assert.Equal(1.0, report.Exposure);
        Assert.Equal(0.0, report.Reduction);
    }
}
