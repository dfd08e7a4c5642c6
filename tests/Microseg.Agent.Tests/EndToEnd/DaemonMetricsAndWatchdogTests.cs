using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microseg.Agent.Tests.Metrics;
using Microseg.Datapath.Abi;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// The running daemon's metrics and watchdog: /metrics reads the kernel's per-CPU counters when
/// scraped (no polling interval between a packet and the number), and WATCHDOG=1 arrives at half
/// of WATCHDOG_USEC through the systemd package's notifier.
/// </summary>
public sealed partial class DaemonMetricsAndWatchdogTests
{
    private const int Web = 8080, Admin = 9090;

    [PrivilegedFact]
    public async Task A_scrape_reads_the_kernels_deny_counter_as_it_is_at_that_moment()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(Web));
        using var admin = lab.Listen(Admin);
        int port = FreeLoopbackPort();
        lab.StartDaemon("--metrics-address", $"127.0.0.1:{port}");
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

        double before = DeniedPackets(await client.GetStringAsync("metrics"));
        lab.AssertDenied(Admin);
        ulong kernelBefore = KernelDeniedPackets(lab.PinDirectory);
        string text = await client.GetStringAsync("metrics");
        ulong kernelAfter = KernelDeniedPackets(lab.PinDirectory);
        double scraped = DeniedPackets(text);

        // The dropped SYNs are in the very next scrape: what the kernel counted just before it, at most what it counted just after.
        Assert.True(scraped > before, $"denied packets {before} before the refused connection, {scraped} after:\n{text}");
        Assert.InRange(scraped, kernelBefore, kernelAfter);

        // And what is served passes Prometheus's own linter, real counters and all.
        if (PrometheusTools.Find("promtool") is { } promtool)
        {
            (int code, string output) = await PromtoolTests.RunAsync(promtool, ["check", "metrics"], text);
            Assert.True(code == 0 && output.Length == 0, $"promtool check metrics exited {code}:\n{output}\non:\n{text}");
        }
    }

    [PrivilegedFact]
    public void Watchdog_pings_arrive_at_half_the_timeout()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(Web));
        using var daemon = DaemonProcess.Start(lab.Arguments(), lab.Notify.Name, new Dictionary<string, string> { ["WATCHDOG_USEC"] = "1000000" });
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);

        // Pinged every 0.5 s: three more pings take about 1.5 s (2.5 s allowed on a busy machine).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int ping = 0; ping < 3; ping++)
            Assert.Equal("WATCHDOG=1", lab.Notify.WaitFor("WATCHDOG=1", TimeSpan.FromSeconds(2.5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"three pings took {clock.Elapsed.TotalSeconds:F1} s");
        daemon.Signal(15);
        lab.Notify.WaitFor("STOPPING=1", DaemonLab.Expected);
        Assert.True(daemon.WaitForExit(DaemonLab.Expected), "microsegd did not exit after SIGTERM");
    }

    /// <summary>The sum of every microseg_packets_total series with verdict="deny".</summary>
    private static double DeniedPackets(string metrics) =>
        DeniedPacketsLine().Matches(metrics).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private static ulong KernelDeniedPackets(string pinDirectory)
    {
        using var pinned = new FloodTests.PinnedMaps(pinDirectory);
        return pinned.Maps.ReadVerdictCounters().Where(c => c.Key.Verdict == Verdict.Deny).Aggregate(0UL, (sum, c) => sum + c.Value.Packets);
    }

    [GeneratedRegex(@"^microseg_packets_total\{[^}]*verdict=""deny""[^}]*\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex DeniedPacketsLine();

    private static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
