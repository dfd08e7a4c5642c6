using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Tests;

/// <summary>Reporting everything at once, includes, the model the loader builds, and the documented examples.</summary>
public sealed class LoaderTests
{
    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        string policy = PolicyText.Base.Replace("10.0.2.0/24", "10.0.2.5/24") + """
            defaults: {mode: enforcing}
            rules:
              - name: r
                action: permit
                direction: ingress
                local: {identity: web}
                peer: {identity: db}
                protocol: tcp
                ports: ["9000-8000"]
              - {name: s, action: deny, direction: egress, local: {identity: web}, peer: {identity: nobody}}
            """;

        IReadOnlyList<Diagnostic> found = PolicyText.Check(policy).Diagnostics;

        Assert.Equal(
            ["8:17 invalid CIDR", "13:18 invalid mode", "16:13 invalid action", "21:13 inverted port", "22:89 unknown identity"],
            found.Select(d => $"{d.Line}:{d.Column} {string.Join(' ', d.Message.Split(' ').Take(2))}"));
        Assert.All(found, d => Assert.True(d.IsError));
    }

    [Fact]
    public void Text_that_crashes_the_YAML_library_is_a_syntax_error_where_it_is()
    {
        // YamlDotNet 16.3 throws InvalidOperationException on a carriage return inside a flow
        // list's plain scalar; the loader used to let it escape, then reported it at 1:1.
        PolicyCheckResult result = PolicyChecker.CheckText("p.yaml", "version: 1\nidentities: [{name: web, addresses: [10.0.\r2.5]}]\n");

        Diagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal("p.yaml:2:43: error: YAML syntax error: a carriage return without a line feed after it\n"
            + "  hint: end lines with a line feed (Unix) or a carriage return and a line feed (Windows)", error.ToString());
    }

    [Fact]
    public void A_name_or_label_ending_in_a_newline_is_invalid()
    {
        string policy = PolicyText.Base + """
            rules:
              - {name: "r1\n", action: allow, direction: ingress, local: {identity: web}, peer: {matchLabels: {app: "shop\n"}}}
            """;

        IReadOnlyList<Diagnostic> errors = PolicyText.Check(policy).Diagnostics.Where(d => d.IsError).ToList();

        Assert.Contains(errors, d => d.Message.StartsWith("invalid name 'r1", StringComparison.Ordinal));
        Assert.Contains(errors, d => d.Message.StartsWith("invalid value 'shop", StringComparison.Ordinal));
    }

    [Fact]
    public void An_error_in_an_included_file_names_that_file()
    {
        using var dir = new TempDirectory();
        string main = dir.Write("policy.yaml", PolicyText.Base + "include: conf.d\n");
        dir.Write("conf.d/20-b.yaml", "rules:\n  - name: b\n    action: allow\n    direction: egress\n    local: {identity: web}\n    peer: {identity: db}\n    protocol: udp\n    ports: [99999]\n");
        dir.Write("conf.d/10-a.yaml", "identities:\n  - name: cache\n    labels: {app: cache}\n    adresses: [10.0.9.1]\n");
        dir.Write("conf.d/.10-a.yaml.swp", "garbage: [");
        dir.Write("conf.d/README", "not yaml");

        PolicyCheckResult result = PolicyChecker.CheckFile(main);

        string a = Path.Combine(dir.Path, "conf.d", "10-a.yaml");
        string b = Path.Combine(dir.Path, "conf.d", "20-b.yaml");
        Assert.Equal(
            $"{a}:4:5: error: unknown key 'adresses' in an identity\n  hint: did you mean 'addresses'?\n"
            + $"{b}:8:13: error: port 99999 is out of range 1-65535",
            PolicyText.Render(result.Diagnostics));
        Assert.Equal([main, a, b], result.Document!.Files);
    }

    [Fact]
    public void Included_files_add_to_the_main_files_lists_in_name_order()
    {
        using var dir = new TempDirectory();
        string main = dir.Write("policy.yaml", PolicyText.Base + "include: conf.d\n");
        dir.Write("conf.d/b.yml", "rules:\n  - {name: second, action: deny, direction: egress, local: {identity: web}, peer: {identity: world}}\n");
        dir.Write("conf.d/a.yaml", "rules:\n  - {name: first, action: allow, direction: egress, local: {identity: web}, peer: {identity: db}, protocol: tcp, ports: [443]}\n");

        PolicyCheckResult result = PolicyChecker.CheckFile(main);

        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        Assert.Equal(["first", "second"], result.Document!.Rules.Select(r => r.Name));
        Assert.Equal(Path.Combine(dir.Path, "conf.d", "a.yaml"), result.Document.Rules[0].Position.File);
    }

    [Fact]
    public void An_included_file_may_not_set_defaults_or_include_again()
    {
        using var dir = new TempDirectory();
        string main = dir.Write("policy.yaml", PolicyText.Base + "include: conf.d\n");
        dir.Write("conf.d/a.yaml", "defaults: {mode: off}\ninclude: more\n");

        PolicyCheckResult result = PolicyChecker.CheckFile(main);

        string a = Path.Combine(dir.Path, "conf.d", "a.yaml");
        Assert.Equal(
            $"{a}:1:1: error: 'defaults' is allowed only in the main policy file\n{a}:2:1: error: 'include' is allowed only in the main policy file",
            PolicyText.Render(result.Diagnostics));
    }

    [Fact]
    public void A_missing_include_directory_is_an_error_at_the_include()
    {
        using var dir = new TempDirectory();
        string main = dir.Write("policy.yaml", PolicyText.Base + "include: nowhere\n");

        Diagnostic d = Assert.Single(PolicyChecker.CheckFile(main).Diagnostics);

        Assert.Equal((13, 10), (d.Line, d.Column));
        Assert.Equal($"include directory 'nowhere' does not exist (looked for {Path.Combine(dir.Path, "nowhere")})", d.Message);
    }

    [Fact]
    public void The_loader_applies_the_documented_defaults()
    {
        PolicyCheckResult result = PolicyText.Check(PolicyText.Base + """
            rules:
              - {name: ssh-out, action: allow, direction: egress, local: {identity: web}, peer: {any: true}, protocol: tcp, ports: [22, "8000-8999"]}
            """);
        PolicyDocument document = result.Document!;

        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        LocalEndpoint endpoint = Assert.Single(document.Endpoints);
        Assert.Equal((EndpointMode.Monitor, RuleAction.Deny, RuleAction.Allow), (endpoint.Mode, endpoint.Ingress, endpoint.Egress));
        PolicyRule rule = Assert.Single(document.Rules);
        Assert.Equal(["22", "8000-8999"], rule.Ports.Select(p => p.ToString()));
        Assert.True(rule.Peer.Any);
    }

    [Fact]
    public void Management_defaults_to_ssh_on_every_endpoint()
    {
        PolicyCheckResult result = PolicyText.Check(PolicyText.Base.Replace("management: []", "management:\n  - {name: ssh, from: [192.0.2.0/24]}"));

        ManagementAccess access = Assert.Single(result.Document!.Management);
        Assert.True(result.IsValid);
        Assert.Equal((Protocol.Tcp, "22"), (access.Protocol, Assert.Single(access.Ports).ToString()));
        Assert.True(access.Local.Any);
    }

    [Theory]
    [InlineData("three-tier.yaml", 0)]
    [InlineData("pci-boundary.yaml", 1)]
    [InlineData("monitor-first.yaml", 0)]
    public void The_documented_examples_are_valid(string name, int warnings)
    {
        string path = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", name);

        PolicyCheckResult result = PolicyChecker.CheckFile(path);

        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        Assert.Equal(warnings, result.Diagnostics.Count);
    }

    [Theory]
    [InlineData("three-tier.yaml")]
    [InlineData("pci-boundary.yaml")]
    [InlineData("conf.d/10-monitoring.yaml")]
    [InlineData("monitor-first.yaml")]
    public void The_reference_shows_each_example_as_it_is_on_disk(string name)
    {
        string root = PolicyText.RepositoryRoot();
        string example = File.ReadAllText(Path.Combine(root, "docs", "examples", name)).TrimEnd('\n');

        Assert.Contains("```yaml\n" + example + "\n```", File.ReadAllText(Path.Combine(root, "docs", "policy.md")));
    }
}
