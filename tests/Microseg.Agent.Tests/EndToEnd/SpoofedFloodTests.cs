using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microseg.Datapath.Abi;
using Microseg.TestSupport;
using Xunit.Abstractions;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// A SYN flood with a new random source address in every frame (hping3 --rand-source) at the
/// generator's full rate, against a denied port of the three-tier lab's api: no per-source limit
/// ever applies, so only the global event budget bounds what reaches the daemon. The flow log
/// keeps every record written before the flood, microsegd stays under a quarter of a core, and
/// the delivered deny events plus the deny summaries are the kernel's deny counters exactly.
/// The short run is part of <c>make test</c>; the two-minute one is <c>make test-flood</c>.
/// </summary>
public sealed class SpoofedFloodTests(ITestOutputHelper log)
{
    /// <summary>The most of one core microsegd may use on average over the flood.</summary>
    private const double MaxCpuShare = 0.25;

    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(2);

    [PrivilegedFact]
    public void ASpoofedSourceFloodKeepsTheHistoryAndCostsLittleCpu() => Flood(TimeSpan.FromSeconds(20));

    [PrivilegedFact, Trait("Category", "Long")]
    public void ATwoMinuteSpoofedSourceFloodKeepsTheHistoryAndCostsLittleCpu() => Flood(TimeSpan.FromMinutes(2));

    private void Flood(TimeSpan duration)
    {
        using var lab = new ThreeTierLab();
        lab.WritePolicy(lab.EnforcedPolicy());
        lab.Serve("api", lab.ApiAddress, ThreeTierLab.ApiPort);
        lab.Serve("db", lab.DbAddress, ThreeTierLab.DbPort);
        // A small log (3 × 8 MiB) so that a flood that reached it unbounded would rotate the
        // history away within seconds, as it does the installed 6 × 100 MiB within minutes.
        var daemon = lab.StartDaemon("--deny-summary-interval", $"{SummaryInterval.TotalSeconds}s",
            "--flow-log-max-size", "8MiB", "--flow-log-keep", "2");
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);

        // The history: allowed calls and a denied one, all in the log before the flood.
        for (int i = 0; i < 5; i++)
        {
            Assert.True(lab.Call("web", lab.ApiAddress, ThreeTierLab.ApiPort, TimeSpan.FromSeconds(5)), "web → api:8080 before the flood");
            Assert.True(lab.Call("api", lab.DbAddress, ThreeTierLab.DbPort, TimeSpan.FromSeconds(5)), "api → db:5432 before the flood");
        }
        Assert.False(lab.Call("web", lab.DbAddress, ThreeTierLab.DbPort, TimeSpan.FromMilliseconds(300)), "web → db:5432 is denied");
        var history = WaitForLines(lab.FlowLogPath, 10, TimeSpan.FromSeconds(10));
        Thread.Sleep(500);
        history = ReadLog(lab.FlowLogPath);

        var cpuBefore = CpuSeconds(daemon.Pid);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        var frames = FloodTests.SynFlood(lab, "api", lab.ApiAddress, 9999, stop.Token, "trafficgen_tx_syn_flood_random_source");
        var elapsed = clock.Elapsed;
        var cpuShare = (CpuSeconds(daemon.Pid) - cpuBefore) / elapsed.TotalSeconds;

        // The summaries of the last interval come with the next drain: wait until the log adds up.
        var deadline = Stopwatch.StartNew();
        (ulong Kernel, ulong Events, ulong Summarised, int Summaries) counts;
        do
        {
            Thread.Sleep(SummaryInterval);
            counts = Counts(lab);
        }
        while (counts.Kernel != counts.Events + counts.Summarised && deadline.Elapsed < 5 * SummaryInterval + TimeSpan.FromSeconds(5));

        var logged = AllLogs(lab.FlowLogPath);
        log.WriteLine($"flood: {frames} SYNs from random sources in {elapsed.TotalSeconds:F1} s ({frames / elapsed.TotalSeconds / 1e6:F2} Mpps)");
        log.WriteLine($"microsegd CPU over the flood: {cpuShare:P1} of one core");
        log.WriteLine($"kernel policy denials: {counts.Kernel}; deny events in the log: {counts.Events}; summarised: {counts.Summarised} in {counts.Summaries} deny_summary records");
        log.WriteLine($"flow log: {logged.Count} lines ({history.Count} before the flood)");

        Assert.True(frames > 1_000_000, $"the flood sent only {frames} frames");
        Assert.True(counts.Kernel > (ulong)frames / 4, $"only {counts.Kernel} of {frames} flood frames were denied by the data path");
        Assert.Equal(counts.Kernel, counts.Events + counts.Summarised);
        Assert.All(history, line => Assert.Contains(line, logged));
        Assert.True(cpuShare < MaxCpuShare, $"microsegd used {cpuShare:P1} of a core under the flood (at most {MaxCpuShare:P0})");
        Assert.False(daemon.HasExited, daemon.LogText);
    }

    /// <summary>
    /// The kernel's deny and would-deny verdicts the policy gave (rule or default: each had its
    /// event or its summary), and what the flow log holds of them: events, and summarised denials.
    /// </summary>
    private static (ulong Kernel, ulong Events, ulong Summarised, int Summaries) Counts(ThreeTierLab lab)
    {
        ulong kernel;
        using (var pinned = new FloodTests.PinnedMaps(lab.PinDirectory))
        {
            kernel = pinned.Maps.ReadVerdictCounters()
                .Where(c => c.Key.Verdict is Verdict.Deny or Verdict.WouldDeny && c.Key.Reason is VerdictReason.PolicyRule or VerdictReason.PolicyDefault)
                .Aggregate(0UL, (sum, c) => sum + c.Value.Packets);
        }
        ulong events = 0, summarised = 0;
        int summaries = 0;
        foreach (var line in AllLogs(lab.FlowLogPath))
        {
            using var record = JsonDocument.Parse(line);
            var root = record.RootElement;
            var kind = root.GetProperty("kind").GetString();
            if (root.GetProperty("reason").GetString() is not ("policy_rule" or "policy_default"))
                continue;
            if (kind is "deny" or "would_deny")
                events++;
            else if (kind == "deny_summary")
            {
                summarised += root.GetProperty("packets").GetUInt64();
                summaries++;
            }
        }
        return (kernel, events, summarised, summaries);
    }

    /// <summary>Every whole line of the log and its rotated files, oldest first.</summary>
    private static List<string> AllLogs(string path)
    {
        var lines = new List<string>();
        for (int n = 10; n >= 1; n--)
        {
            if (File.Exists($"{path}.{n}"))
                lines.AddRange(ReadLog($"{path}.{n}"));
        }
        lines.AddRange(ReadLog(path));
        return lines;
    }

    /// <summary>The file's whole lines (one being written may not have its newline yet).</summary>
    private static List<string> ReadLog(string path)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var text = new StreamReader(stream).ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n')];
    }

    private static List<string> WaitForLines(string path, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        List<string> lines;
        while ((lines = ReadLog(path)).Count < count && clock.Elapsed < timeout)
            Thread.Sleep(100);
        Assert.True(lines.Count >= count, $"the flow log has {lines.Count} lines, not the {count} the calls made");
        return lines;
    }

    /// <summary>A process's user plus system CPU time in seconds, from /proc/PID/stat (utime, stime).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of stat(5); the split starts at field 3 (state).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)ClockTicksPerSecond;
    }

    private static readonly long ClockTicksPerSecond = ReadClockTicks();

    private static long ReadClockTicks()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return long.Parse(text, CultureInfo.InvariantCulture);
    }
}
