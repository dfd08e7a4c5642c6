using System.Diagnostics;
using System.Text.Json;
using Microseg.Cli;

namespace Microseg.Policy.Tests;

/// <summary>
/// microsegctl policy check on what users actually hand it: one clear sentence, exit 1 or 2, and
/// never a stack trace.
/// </summary>
public sealed class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertNoStackTrace((int Code, string Out, string Err) run)
    {
        Assert.DoesNotContain("   at ", run.Out + run.Err);
        Assert.DoesNotContain("Exception", run.Out + run.Err);
    }

    [Fact]
    public void A_missing_file_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "nope.yaml");

        var run = Run("policy", "check", path);

        Assert.Equal((2, "", $"microsegctl: {path} does not exist.\n"), run);
    }

    [Fact]
    public void A_directory_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();

        var run = Run("policy", "check", dir.Path);

        Assert.Equal((2, "", $"microsegctl: {dir.Path} is a directory, not a policy file.\n"), run);
    }

    [Fact]
    public void Binary_garbage_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "garbage.yaml");
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var run = Run("policy", "check", path);

        Assert.Equal(2, run.Code);
        Assert.Equal("", run.Out);
        Assert.Equal($"microsegctl: {path} is not a text file (it contains NUL bytes).\n", run.Err);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "latin1.yaml");
        File.WriteAllBytes(path, [(byte)'a', (byte)':', (byte)' ', 0xE9, (byte)'\n']);

        var run = Run("policy", "check", path);

        Assert.Equal((2, "", $"microsegctl: {path} is not UTF-8 text.\n"), run);
    }

    [Fact]
    public void A_50_MB_file_is_one_sentence_and_exit_2()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "huge.yaml");
        using (FileStream stream = File.Create(path))
        {
            stream.SetLength(50L * 1024 * 1024);
        }

        var run = Run("policy", "check", path);

        Assert.Equal((2, "", $"microsegctl: {path} is 50.0 MiB, larger than the 16 MiB a policy file may be.\n"), run);
    }

    [Fact]
    public void An_empty_file_is_invalid_with_exit_1()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("empty.yaml", "");

        var run = Run("policy", "check", path);

        Assert.Equal(1, run.Code);
        Assert.Equal(
            $"{path}:1:1: error: the file is empty\n  hint: a policy file starts with 'version: 1'\n{path}: invalid (1 error, 0 warnings)\n",
            run.Out);
        AssertNoStackTrace(run);
    }

    [Fact]
    public void A_valid_file_exits_0_and_prints_its_warnings()
    {
        string path = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", "pci-boundary.yaml");

        var run = Run("policy", "check", path);

        Assert.Equal(0, run.Code);
        Assert.Contains(": warning: allow rule 'node-exporter-from-corp' can never allow anything", run.Out);
        Assert.EndsWith($"{path}: valid (0 errors, 1 warning)\n", run.Out);
    }

    [Fact]
    public void An_invalid_file_exits_1_with_json_diagnostics()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("p.yaml", PolicyText.Base + "rulez: []\n");

        var run = Run("policy", "check", path, "--format", "json");

        Assert.Equal(1, run.Code);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        JsonElement d = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal(
            (path, 13, 1, "error", "unknown key 'rulez' in the policy file", "did you mean 'rules'?"),
            (d.GetProperty("file").GetString(), d.GetProperty("line").GetInt32(), d.GetProperty("column").GetInt32(),
             d.GetProperty("severity").GetString(), d.GetProperty("message").GetString(), d.GetProperty("hint").GetString()));
    }

    [Fact]
    public void Bad_usage_is_one_sentence_and_exit_2()
    {
        var run = Run("policy", "check", "p.yaml", "--format", "xml");

        Assert.Equal(2, run.Code);
        Assert.StartsWith("microsegctl: ", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        AssertNoStackTrace(run);
    }

    [Fact]
    public void The_built_executable_reports_a_missing_file_without_a_stack_trace()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "microsegctl.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "policy", "check", "/nonexistent/policy.yaml"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal((2, "", "microsegctl: /nonexistent/policy.yaml does not exist.\n"), (process.ExitCode, output, error));
    }
    [Fact]
    public async Task The_built_executable_refuses_10000_nested_brackets_with_one_error()
    {
        // 20 KB of '[': a stack overflow (exit 134, 36,000 lines of trace) before the parser kept its own stack.
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "deep.yaml");
        File.WriteAllText(path, new string('[', 10_000) + new string(']', 10_000));
        string dll = Path.Combine(AppContext.BaseDirectory, "microsegctl.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "policy", "check", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal((1, ""), (process.ExitCode, await error));
        Assert.StartsWith($"{path}:1:101: error: lists and mappings nested more than 100 deep\n{path}: invalid", await output);
    }

    [Fact]
    public void A_file_that_is_no_policy_gets_one_short_error_not_itself_pasted_back()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "passwd");
        string passwd = string.Concat(Enumerable.Range(0, 40).Select(i => $"user{i}:x:{1000 + i}:{1000 + i}:User {i}:/home/user{i}:/bin/bash\n"));
        File.WriteAllText(path, passwd);

        var run = Run("policy", "check", path);

        Assert.Equal(1, run.Code);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length); // the error, then "PATH: invalid (1 error)"
        string line = lines[0];
        Assert.StartsWith($"{path}:1:1: error: the policy file must be a mapping, not 'user0:x:1000:1000:User", line);
        Assert.DoesNotContain("user39", line);
        Assert.True(line.Length < path.Length + 160, line);
    }
}
