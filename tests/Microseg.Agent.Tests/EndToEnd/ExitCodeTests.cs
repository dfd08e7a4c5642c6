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
