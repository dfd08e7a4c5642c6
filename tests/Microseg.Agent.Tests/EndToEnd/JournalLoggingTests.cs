using Microseg.Agent.Hosting;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// The built daemon's log lines: under journald (JOURNAL_STREAM set) in the systemd format of
/// Microsoft.Extensions.Logging.Console, its syslog priority first and no timestamp; on a
/// terminal with the time and level. One line per message either way.
/// </summary>
public sealed class JournalLoggingTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    [PrivilegedFact]
    public void UnderJournaldEachLineStartsWithItsSyslogPriority()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(80));
        var (exitCode, log) = DaemonProcess.RunToEnd(lab.Arguments("--bpf-dir", "/nonexistent"), Soon,
            new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" });

        Assert.Equal((int)ExitCode.ProgramsNotLoaded, exitCode);
        string[] lines = log.Trim().Split('\n');
        Assert.All(lines, line => Assert.Matches(@"^<[2-7]>\S+\[\d+\] ", line));
        Assert.Contains(lines, line => line.StartsWith("<2>", StringComparison.Ordinal)
            && line.Contains("The eBPF object /nonexistent/xdp_ingress.bpf.o is missing", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public void OnATerminalLinesCarryTimeAndLevelInstead()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(80));
        var (exitCode, log) = DaemonProcess.RunToEnd(lab.Arguments("--bpf-dir", "/nonexistent"), Soon);

        Assert.Equal((int)ExitCode.ProgramsNotLoaded, exitCode);
        string[] lines = log.Trim().Split('\n');
        Assert.All(lines, line => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d (info|warn|fail|crit): \S+\[\d+\] ", line));
        Assert.Contains(lines, line => line.Contains(" crit: ", StringComparison.Ordinal)
            && line.Contains("The eBPF object /nonexistent/xdp_ingress.bpf.o is missing", StringComparison.Ordinal));
    }
}
