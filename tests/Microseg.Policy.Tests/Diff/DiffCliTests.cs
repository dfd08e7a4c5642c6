using System.Diagnostics;
using System.Text.Json;
using Microseg.Cli;

namespace Microseg.Policy.Tests.Diff;

/// <summary>microsegctl policy diff: the documented examples, edited copies, and what users get wrong.</summary>
public sealed class DiffCliTests
{
    private static readonly string[] JsonKeys =
        ["valid", "error", "diagnostics", "old", "new", "changed", "modeChanges", "defaults", "identities", "endpoints", "rules", "boundaries", "management"];

    private static string Example(string name) => Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", name);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        (int, string, string) run = (code, output.ToString(), error.ToString());
        Assert.DoesNotContain("   at ", run.Item2 + run.Item3);
        Assert.DoesNotContain("Exception", run.Item2 + run.Item3);
        Assert.DoesNotContain("\e[", run.Item2); // no colour into a writer that is not a terminal
        return run;
    }

    [Fact]
    public void An_edited_copy_shows_the_mode_change_first_and_every_change_after_it()
    {
        using var dir = new TempDirectory();
        string old = Example("monitor-first.yaml");
        string @new = dir.Write("policy.yaml", File.ReadAllText(old)
            .Replace("  - identity: reporting\n", "  - identity: reporting\n    mode: enforce\n")
            .Replace("ports: [443, \"8000-8099\"]", "ports: [443]")
            .Replace("{location: office}\n", "{location: office, floor: \"2\"}\n")
            .Replace("  - name: no-telnet-anywhere", "  - name: no-smb-anywhere\n    action: deny\n    direction: ingress\n    local: {any: true}\n    peer: {any: true}\n    protocol: tcp\n    ports: [445]\n  - name: no-telnet-anywhere"));

        var run = Run("policy", "diff", old, @new);

        Assert.Equal(
            $"""
            policy diff {old} -> {@new}

            MODE CHANGES
              ! reporting (10.1.0.20, fd00:1::20): monitor -> enforce: starts enforcing: what the policy denies will be dropped

            identities
              ~ office
                  labels.floor: (none) -> 2

            endpoints
              ~ reporting
                  mode: monitor -> enforce

            rules
              ~ billing-api-from-office
                  ports: 443, 8000-8099 -> 443 (removed 8000-8099)
              + no-smb-anywhere: deny ingress tcp ports 445; local any; peer any

            identities ~1, endpoints ~1, rules +1 ~1; 1 mode change (1 starts enforcing)

            """,
            run.Out);
        Assert.Equal((0, ""), (run.Code, run.Err));
    }

    [Fact]
    public void Two_documented_examples_differ_and_exit_0()
    {
        var run = Run("policy", "diff", Example("three-tier.yaml"), Example("pci-boundary.yaml"));

        Assert.Equal(0, run.Code);
        Assert.Contains("\nMODE CHANGES\n  ! app (10.0.2.20, 2001:db8:2::20): enforce -> (no endpoint): its traffic will no longer be judged\n", run.Out);
        Assert.Contains("\n  + node-exporter-from-corp: allow ingress tcp ports 9100; local identity cardholder-db; peer {zone=corp}\n", run.Out);
        Assert.EndsWith(
            "defaults ~1, identities +3 -4, endpoints +1 -3, rules +2 -7, boundaries +1, management +1 -1; 4 mode changes (1 starts enforcing)\n",
            run.Out);
    }

    [Fact]
    public void A_file_against_itself_has_no_differences()
    {
        string path = Example("pci-boundary.yaml");

        var run = Run("policy", "diff", path, path);

        Assert.Equal((0, $"policy diff {path} -> {path}\nno differences\n", ""), run);
    }

    [Fact]
    public void Json_is_one_object_with_every_key_for_scripts()
    {
        var run = Run("policy", "diff", Example("three-tier.yaml"), Example("pci-boundary.yaml"), "--format", "json");

        Assert.Equal(0, run.Code);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(JsonKeys, root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("valid").GetBoolean());
        Assert.True(root.GetProperty("changed").GetBoolean());
        JsonElement mode = root.GetProperty("modeChanges").EnumerateArray().Single(m => m.GetProperty("endpoint").GetString() == "cardholder-db");
        Assert.Equal(JsonValueKind.Null, mode.GetProperty("old").ValueKind);
        Assert.Equal("enforce", mode.GetProperty("new").GetString());
        Assert.True(mode.GetProperty("startsEnforcing").GetBoolean());
        JsonElement egress = Assert.Single(root.GetProperty("defaults").EnumerateArray());
        Assert.Equal(("egress", "deny", "allow"), (egress.GetProperty("field").GetString(), egress.GetProperty("old").GetString(), egress.GetProperty("new").GetString()));
        JsonElement rule = root.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "node-exporter-from-corp");
        Assert.Equal("added", rule.GetProperty("change").GetString());
        Assert.Empty(rule.GetProperty("fields").EnumerateArray());
    }

    [Fact]
    public void Json_of_a_changed_field_lists_what_was_added_and_removed()
    {
        using var dir = new TempDirectory();
        string old = Example("three-tier.yaml");
        string @new = dir.Write("policy.yaml", File.ReadAllText(old).Replace("from: [192.0.2.0/28]", "from: [192.0.2.16/28]"));

        var run = Run("policy", "diff", old, @new, "--format", "json");

        using JsonDocument json = JsonDocument.Parse(run.Out);
        JsonElement entry = Assert.Single(json.RootElement.GetProperty("management").EnumerateArray());
        JsonElement field = Assert.Single(entry.GetProperty("fields").EnumerateArray());
        Assert.Equal(
            ("admin-ssh", "changed", "from", "192.0.2.0/28", "192.0.2.16/28", "192.0.2.16/28", "192.0.2.0/28"),
            (entry.GetProperty("name").GetString(), entry.GetProperty("change").GetString(), field.GetProperty("field").GetString(),
             field.GetProperty("old").GetString(), field.GetProperty("new").GetString(),
             field.GetProperty("added")[0].GetString(), field.GetProperty("removed")[0].GetString()));
        Assert.Empty(json.RootElement.GetProperty("modeChanges").EnumerateArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_missing_file_is_one_sentence_and_exit_2(bool oldMissing)
    {
        using var dir = new TempDirectory();
        string missing = Path.Combine(dir.Path, "nope.yaml");
        string present = Example("three-tier.yaml");

        var run = oldMissing ? Run("policy", "diff", missing, present) : Run("policy", "diff", present, missing);

        Assert.Equal((2, "", $"microsegctl: {missing} does not exist.\n"), run);
    }

    [Fact]
    public void A_missing_file_in_json_is_the_same_object_with_the_error()
    {
        var run = Run("policy", "diff", "/nonexistent/old.yaml", Example("three-tier.yaml"), "--format", "json");

        Assert.Equal((2, "microsegctl: /nonexistent/old.yaml does not exist.\n"), (run.Code, run.Err));
        using JsonDocument json = JsonDocument.Parse(run.Out);
        Assert.Equal(JsonKeys, json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("/nonexistent/old.yaml does not exist.", json.RootElement.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("changed").ValueKind);
    }

    [Fact]
    public void An_invalid_file_prints_its_errors_and_exits_1()
    {
        using var dir = new TempDirectory();
        string old = Example("three-tier.yaml");
        string @new = dir.Write("p.yaml", PolicyText.Base + "rulez: []\n");

        var run = Run("policy", "diff", old, @new);

        Assert.Equal(
            (1, $"{@new}:13:1: error: unknown key 'rulez' in the policy file\n  hint: did you mean 'rules'?\n{@new}: invalid (1 error); nothing compared\n", ""),
            run);
    }

    [Fact]
    public void Both_files_invalid_are_both_reported()
    {
        using var dir = new TempDirectory();
        string old = dir.Write("old.yaml", "");
        string @new = dir.Write("new.yaml", PolicyText.Base + "defaults: {mode: enforced}\n");

        var run = Run("policy", "diff", old, @new, "--format", "json");

        Assert.Equal(1, run.Code);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(
            [old, @new],
            json.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("file").GetString()).Distinct());
        Assert.Empty(json.RootElement.GetProperty("rules").EnumerateArray());
    }

    [Fact]
    public void One_file_only_is_bad_usage_and_exit_2()
    {
        var run = Run("policy", "diff", Example("three-tier.yaml"));

        Assert.Equal(2, run.Code);
        Assert.StartsWith("microsegctl: ", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void The_help_documents_the_exit_codes()
    {
        var run = Run("policy", "diff", "--help");

        Assert.Equal(0, run.Code);
        Assert.Contains("Exit 0 when both files are valid, whether or not they differ", run.Out);
        Assert.Contains("1 when either is invalid", run.Out);
        Assert.Contains("2 when either cannot be read", run.Out);
    }

    [Fact]
    public void The_built_executable_writes_no_colour_into_a_pipe_and_no_stack_trace()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "microsegctl.dll");
        (int Code, string Out, string Err) Exec(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet", [dll, "policy", "diff", .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment.Remove("NO_COLOR");
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error);
        }

        var differs = Exec(Example("three-tier.yaml"), Example("monitor-first.yaml"));
        var missing = Exec("/nonexistent/old.yaml", Example("monitor-first.yaml"));

        Assert.Equal((0, ""), (differs.Code, differs.Err));
        Assert.Contains("\nMODE CHANGES\n", differs.Out);
        Assert.DoesNotContain("\e[", differs.Out);
        Assert.Equal((2, "", "microsegctl: /nonexistent/old.yaml does not exist.\n"), missing);
    }
}
