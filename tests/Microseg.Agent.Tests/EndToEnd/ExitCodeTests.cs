using Microseg.Agent.Hosting;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>The built daemon's failures as an administrator meets them: one sentence, no stack trace, a distinct exit code.</summary>
public sealed class ExitCodeTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    [Fact]
    public void ABadOptionIsOneSentenceAndExitTwo()
    {
        var (exitCode, log) = DaemonProcess.RunToEnd(["--config", "/dev/null", "--xdp-mode", "fast"], Soon);
        Assert.Equal((int)ExitCode.BadSettings, exitCode);
        Assert.Equal("microsegd: --xdp-mode takes auto, native or generic, not 'fast'", log.Trim());
    }

    [Theory]
    [InlineData("{a: b}: 1\n", ":1:1: a setting's name must be a single word, not a mapping")]
    [InlineData("interfaces: [eth0\n", ":2:1: YAML syntax error: ")]
    [InlineData("policy: /p.yaml\n\tflowLog: -\n", ":2:1: YAML syntax error: ")]
    [InlineData("policy: &p [*p]\n", ":1:13: YAML syntax error: the alias *p names no anchor before it")]
    public void ABadSettingsFileIsOneSentenceAtItsPlaceAndExitTwo(string text, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"microsegd-settings-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            var (exitCode, log) = DaemonProcess.RunToEnd(["--config", path], Soon);
            Assert.Equal((int)ExitCode.BadSettings, exitCode);
            Assert.StartsWith($"microsegd: {path}{expected}", log.Trim());
            Assert.Single(log.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TenThousandNestedBracketsInTheSettingsFileAreOneSentenceAndExitTwo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"microsegd-settings-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, new string('[', 10_000));
        try
        {
            var (exitCode, log) = DaemonProcess.RunToEnd(["--config", path], Soon);
            Assert.Equal(((int)ExitCode.BadSettings, $"microsegd: {path}:1:101: lists and mappings nested more than 100 deep"), (exitCode, log.Trim()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnUnknownFlagIsNamedAsUnknownAndExitTwo()
    {
        var (exitCode, log) = DaemonProcess.RunToEnd(["--config", "/dev/null", "--frobnicate"], Soon);
        Assert.Equal((int)ExitCode.BadSettings, exitCode);
        Assert.StartsWith("microsegd: unknown option --frobnicate; the options are --config, ", log.Trim());
        Assert.DoesNotContain("needs a value", log);
    }

    [PrivilegedFact]
    public void MissingObjectsExitSeven()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(80));
        var (exitCode, log) = DaemonProcess.RunToEnd(lab.Arguments("--bpf-dir", "/nonexistent"), Soon);
        Assert.Equal((int)ExitCode.ProgramsNotLoaded, exitCode);
        Assert.Contains("The eBPF object /nonexistent/xdp_ingress.bpf.o is missing", log);
        Assert.DoesNotContain("   at ", log);
    }

    [PrivilegedFact]
    public void AnInvalidPolicyWithNothingToKeepExitsNine()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(80).Replace("protocol: tcp", "protocol: tcpp"));
        var (exitCode, log) = DaemonProcess.RunToEnd(lab.Arguments(), Soon);
        Assert.Equal((int)ExitCode.PolicyInvalid, exitCode);
        Assert.Matches(@"policy\.yaml:\d+:\d+: error: ", log);
        Assert.DoesNotContain("   at ", log);
    }
}
