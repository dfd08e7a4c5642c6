using System.Text.Json;
using Microseg.Cli;

namespace Microseg.Policy.Tests;

/// <summary>microsegctl policy explain: which rule decides and why, one packet at a time, in process.</summary>
public sealed class ExplainCliTests
{
    private static readonly string ThreeTier = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", "three-tier.yaml");
    private static readonly string Pci = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", "pci-boundary.yaml");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(["policy", "explain", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static int LineOf(string path, string text) => Array.IndexOf(File.ReadAllLines(path), text) + 1;

    [Fact]
    public void A_boundary_beating_an_allow_rule_is_explained()
    {
        var run = Run(Pci, "--from", "10.1.2.3", "--to", "10.20.0.10", "--proto", "tcp", "--port", "9100");

        Assert.Equal((0, ""), (run.Code, run.Err));
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal("packet:   ingress 10.1.2.3 -> 10.20.0.10, tcp port 9100 (SYN)", lines[0]);
        Assert.Equal("verdict:  deny (rule)", lines[1]);
        Assert.Equal($"rule:     pci-zone (boundary) at {Pci}:{LineOf(Pci, "  - name: pci-zone")}:5", lines[2]);
        Assert.Equal("endpoint: cardholder-db (mode enforce)", lines[3]);
        Assert.Equal("peer:     corp", lines[4]);
        Assert.StartsWith("why:      The local address 10.20.0.10", lines[5]);
        Assert.Contains("overrides allow rule 'node-exporter-from-corp'", lines[5]);
    }

    [Fact]
    public void The_direction_is_inferred_from_the_endpoint_address()
    {
        var inbound = Run(ThreeTier, "--from", "203.0.113.7", "--to", "10.0.1.10", "--proto", "tcp", "--port", "443");
        var outbound = Run(ThreeTier, "--from", "10.0.2.20", "--to", "10.0.0.53", "--proto", "udp", "--port", "53");

        Assert.Contains("verdict:  allow (rule)", inbound.Out);
        Assert.Contains("rule:     https-from-anywhere (rule)", inbound.Out);
        Assert.Contains("packet:   egress 10.0.2.20 -> 10.0.0.53, udp port 53", outbound.Out);
        Assert.Contains("rule:     shop-dns (rule)", outbound.Out);
    }

    [Fact]
    public void The_default_has_no_rule()
    {
        var run = Run(ThreeTier, "--from", "203.0.113.7", "--to", "10.0.3.5", "--proto", "icmp", "--icmp-type", "8");

        Assert.Equal(0, run.Code);
        Assert.Contains("verdict:  deny (endpoint default)", run.Out);
        Assert.Contains("rule:     none (no rule decides)", run.Out);
        Assert.Contains("the endpoint's ingress default decides: deny", run.Out);
    }

    [Fact]
    public void Json_names_the_rule_and_its_position()
    {
        var run = Run(ThreeTier, "--from", "10.0.1.10", "--to", "10.0.2.20", "--proto", "tcp", "--port", "8080", "--direction", "egress", "--format", "json");

        Assert.Equal(0, run.Code);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        JsonElement root = json.RootElement;
        JsonElement rule = root.GetProperty("rule");
        Assert.Equal(
            ("allow", "rule", "web-to-app", "rule", ThreeTier, LineOf(ThreeTier, "  - name: web-to-app"), 5, "web", "app", "egress"),
            (root.GetProperty("outcome").GetString(), root.GetProperty("reason").GetString(), rule.GetProperty("name").GetString(),
             rule.GetProperty("kind").GetString(), rule.GetProperty("file").GetString(), rule.GetProperty("line").GetInt32(),
             rule.GetProperty("column").GetInt32(), root.GetProperty("endpoint").GetString(), root.GetProperty("peer").GetString(),
             root.GetProperty("packet").GetProperty("direction").GetString()));
        Assert.Contains("'web-to-app'", root.GetProperty("explanation").GetString());
    }

    [Fact]
    public void An_address_no_endpoint_lists_is_unenforced_when_a_direction_is_given()
    {
        var run = Run(ThreeTier, "--from", "203.0.113.7", "--to", "10.0.9.9", "--proto", "47", "--direction", "ingress");

        Assert.Equal(0, run.Code);
        Assert.Contains("verdict:  unenforced (not enforced here)", run.Out);
        Assert.Contains("is listed by no endpoint", run.Out);
    }

    [Fact]
    public void An_invalid_policy_prints_its_errors_and_exits_1()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("p.yaml", PolicyText.Base + "rulez: []\n");

        var run = Run(path, "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "tcp", "--port", "80");

        Assert.Equal(1, run.Code);
        Assert.Contains($"{path}:13:1: error: unknown key 'rulez' in the policy file", run.Out);
        Assert.Equal("", run.Err);
    }

    [Theory]
    [InlineData("unreadable", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "tcp", "--port", "80")]
    [InlineData("both endpoints", "--from", "10.0.1.10", "--to", "10.0.2.20", "--proto", "tcp", "--port", "80")]
    [InlineData("neither endpoint", "--from", "1.2.3.4", "--to", "1.2.3.5", "--proto", "tcp", "--port", "80")]
    [InlineData("not an address", "--from", "1.2.3", "--to", "10.0.1.10", "--proto", "tcp", "--port", "80")]
    [InlineData("mixed families", "--from", "2001:db8::1", "--to", "10.0.1.10", "--proto", "tcp", "--port", "80")]
    [InlineData("unknown protocol", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "sctp")]
    [InlineData("missing port", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "tcp")]
    [InlineData("port out of range", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "tcp", "--port", "70000")]
    [InlineData("port not a number", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "udp", "--port", "dns")]
    [InlineData("port with icmp", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "icmp", "--port", "80")]
    [InlineData("missing icmp type", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "icmp")]
    [InlineData("icmp type with tcp", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "tcp", "--port", "1", "--icmp-type", "8")]
    [InlineData("icmp type out of range", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "icmp", "--icmp-type", "256")]
    [InlineData("bad direction", "--from", "1.2.3.4", "--to", "10.0.1.10", "--proto", "tcp", "--port", "1", "--direction", "inbound")]
    [InlineData("missing --from", "--to", "10.0.1.10", "--proto", "tcp", "--port", "1")]
    public void Bad_arguments_are_one_sentence_and_exit_2(string why, params string[] options)
    {
        string file = why == "unreadable" ? "/nonexistent/policy.yaml" : ThreeTier;

        var run = Run([file, .. options]);

        Assert.True(run.Code == 2, $"{why}: exit {run.Code}, {run.Out}{run.Err}");
        Assert.Equal("", run.Out);
        Assert.StartsWith("microsegctl: ", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("Exception", run.Err);
        Assert.DoesNotContain("System.", run.Err);
    }
}
