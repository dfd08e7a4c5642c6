using System.Text.Json;
using Microseg.Cli;
using Microseg.Flows.Discovery;
using Microseg.Flows.Records;

namespace Microseg.Flows.Tests;

/// <summary>microsegctl discover, monitor and policy suggest/simulate/lint/exposure, in process.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _flows;
    private readonly string _policy;

    public CliTests()
    {
        _flows = _dir.File("day.jsonl");
        FlowLog.Write(_flows, Lab.Day());
        _policy = _dir.Write("lab.yaml", Lab.Policy);
    }

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Discover_shows_the_map_in_every_format()
    {
        var table = Run("discover", "--flows", _flows);
        var dot = Run("discover", "--flows", _flows, "--format", "dot");
        var mermaid = Run("discover", "--flows", _flows, "--format", "mermaid", "--world-by-cidr");
        var json = Run("discover", "--flows", _flows, "--format", "json");

        Assert.Equal((0, ""), (table.Code, table.Err));
        Assert.StartsWith("FROM ", table.Out);
        Assert.Contains("\"world\" -> \"db\" [label=\"tcp/5432 ×2\", color=orange];", dot.Out);
        Assert.Contains("[\"world:198.51.100.0/24\"]", mermaid.Out);
        Assert.Equal("microseg-discovery", JsonDocument.Parse(json.Out).RootElement.GetProperty("format").GetString());
    }

    [Fact]
    public void Discover_reads_a_saved_graph_and_renders_svg()
    {
        string graph = _dir.File("graph.json");
        DiscoveryGraph.Of(Lab.Day()).Save(graph);
        string svg = _dir.File("map.svg");

        var run = Run("discover", "--graph", graph, "--svg", svg);

        if (DiscoveryGraphTests.Graphviz("digraph { a -> b }") is null)
        {
            Assert.Equal((2, "microsegctl: --svg needs Graphviz's dot, which is not on PATH (install the graphviz package).\n"), (run.Code, run.Err));
            return;
        }

        Assert.Equal((0, ""), (run.Code, run.Err));
        Assert.Contains("<svg", File.ReadAllText(svg));
    }

    [Theory]
    [InlineData(new[] { "discover", "--graph", "g.json", "--flows", "f.jsonl" }, "microsegctl: give at most one of --graph FILE (a saved discovery graph) and --flows FILE (JSON lines of flow records).")]
    [InlineData(new[] { "discover", "--socket", "/nonexistent/microseg.sock" }, "microsegctl: /nonexistent/microseg.sock does not exist: microsegd is not running, or listens elsewhere (--socket).")]
    [InlineData(new[] { "monitor", "--socket", "/nonexistent/microseg.sock" }, "microsegctl: /nonexistent/microseg.sock does not exist: microsegd is not running, or listens elsewhere (--socket).")]
    [InlineData(new[] { "policy", "suggest", "--from-daemon", "--flows", "f.jsonl" }, "microsegctl: --from-daemon reads the daemon's flows: give it without --flows or --graph.")]
    [InlineData(new[] { "monitor", "--flows", "/nonexistent/flows.jsonl" }, "microsegctl: cannot read flows from /nonexistent/flows.jsonl: no such file.")]
    [InlineData(new[] { "discover", "--graph", "/nonexistent/g.json" }, "microsegctl: cannot read the graph /nonexistent/g.json: no such file.")]
    public void Bad_input_is_one_sentence_and_exit_2(string[] args, string message)
    {
        var run = Run(args);

        Assert.Equal((2, message + "\n", ""), (run.Code, run.Err, run.Out));
    }

    [Fact]
    public void Monitor_groups_what_would_be_blocked()
    {
        var run = Run("monitor", "--flows", _flows);

        Assert.Equal(0, run.Code);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^db\s+world\s+ingress\s+tcp/5432\s+default\s+2\s+0\s+2026-11-21T10:30:00Z\s+2026-11-21T10:31:00Z\s+198\.51\.100\.66$", lines[1]);
    }

    [Fact]
    public void Suggest_writes_a_policy_that_passes_policy_check()
    {
        string output = _dir.File("suggested.yaml");

        var run = Run("policy", "suggest", "--flows", _flows, "--identities", _policy, "-o", output);
        var check = Run("policy", "check", output);

        Assert.Equal((0, ""), (run.Code, run.Err));
        Assert.Equal("wrote " + output + ": 10 rule(s) added\n", run.Out);
        Assert.Equal((0, ""), (check.Code, check.Err));
    }

    [Fact]
    public void Suggest_merge_keeps_the_current_policy_and_adds_what_is_missing()
    {
        var run = Run("policy", "suggest", "--flows", _flows, "--merge", _policy);

        Assert.Equal(0, run.Code);
        Assert.StartsWith("# The current policy plus 1 rule(s) for observed traffic it did not allow", run.Out);
        Assert.Contains("  - name: no-ssh\n", run.Out);
        Assert.Contains("  # world -> db: tcp/5432 ×2; 2 flow(s) (0 allowed, 2 would deny)", run.Out);
        Assert.Contains("  - name: db-from-world-tcp\n", run.Out);
    }

    [Fact]
    public void An_invalid_policy_is_reported_like_policy_check_and_exits_1()
    {
        string bad = _dir.Write("bad.yaml", "version: 1\nrules:\n  - name: x\n");

        var run = Run("policy", "simulate", bad, "--flows", _flows);

        Assert.Equal(1, run.Code);
        Assert.Contains($"{bad}:3:5: error:", run.Out);
    }

    [Fact]
    public void Simulate_counts_what_the_new_policy_breaks()
    {
        string next = _dir.Write("next.yaml", Lab.Policy.Replace("ports: [443]", "ports: [8443]", StringComparison.Ordinal));

        var run = Run("policy", "simulate", next, "--flows", _flows);
        var json = Run("policy", "simulate", next, "--flows", _flows, "--current", _policy, "--format", "json");

        Assert.Equal((0, ""), (run.Code, run.Err));
        Assert.StartsWith($"{Lab.Day().Count} flow(s) replayed against recorded verdicts: 10 newly blocked, 0 newly allowed,", run.Out);
        Assert.Matches(@"\nworld\s+web\s+tcp/443\s+web ingress\s+default\s+10\s", run.Out);
        Assert.Equal(10, JsonDocument.Parse(json.Out).RootElement.GetProperty("newlyBlocked")[0].GetProperty("flows").GetInt32());
    }

    [Fact]
    public void Lint_exits_1_with_findings_and_0_without()
    {
        string suggested = _dir.File("exact.yaml");
        Assert.Equal(0, Run("policy", "suggest", "--flows", _flows, "--identities", _policy, "-o", suggested).Code);

        var clean = Run("policy", "lint", suggested, "--flows", _flows);
        string broad = _dir.Write("broad.yaml", Lab.Policy.Replace("management: []\n",
            "  - name: web-out\n    action: allow\n    direction: egress\n    local: {identity: web}\n    peer: {any: true}\nmanagement: []\n", StringComparison.Ordinal));
        var lab = Run("policy", "lint", broad, "--flows", _flows);

        Assert.Equal(0, clean.Code);
        Assert.EndsWith("nothing to report.\n", clean.Out);
        Assert.Equal(1, lab.Code);
        Assert.Contains($"{broad}:", lab.Out);
        Assert.Contains(": broad: rule 'web-out' allows any protocol from any remote (world), but its 1 recorded flow(s) fit a narrower rule\n  suggest: protocol: udp, ports: [53], peer: {identity: dns}\n", lab.Out);
        Assert.EndsWith($"1 finding(s) in 7 rule(s), against {Lab.Day().Count} flow record(s).\n", lab.Out);
    }

    [Fact]
    public void Exposure_puts_a_number_on_the_three_tier_example()
    {
        string threeTier = Path.Combine(Lab.RepositoryRoot(), "docs", "examples", "three-tier.yaml");

        var run = Run("policy", "exposure", threeTier);
        var json = Run("policy", "exposure", threeTier, "--format", "json");

        Assert.Equal((0, ""), (run.Code, run.Err));
        Assert.StartsWith("identity pairs reachable: 8 of 27 governed (29.6296%; flat network 100%)\n(pair, service) reachable: 8 of 3538971 (0.0002%); reduction against a flat network: 99.9998%\n", run.Out);
        Assert.Equal(8, JsonDocument.Parse(json.Out).RootElement.GetProperty("reachable").GetInt32());
    }
}
