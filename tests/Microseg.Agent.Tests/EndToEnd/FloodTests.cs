using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.TestSupport;
using Xunit.Abstractions;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// A SYN flood and a port scan against denied ports, from the attacker of the three-tier lab at
/// the generators' full rate: the allowed traffic keeps flowing, the daemon's memory stays
/// bounded, and the lost events it reports are those the kernel counted.
/// </summary>
public sealed class FloodTests(ITestOutputHelper log)
{
    private static readonly TimeSpan FloodFor = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What the daemon may grow by under the flood: the recent-flow ring (~2 MB), a graph bounded at
    /// 20,000 edges (a few MB per 10,000) and the GC's headroom; an unbounded queue or graph would
    /// grow by hundreds of MB at these rates.
    /// </summary>
    private const long MaxGrowthBytes = 96L << 20;

    [PrivilegedFact]
    public void SynFloodAndScanLeaveTheDataPathUnaffectedMemoryBoundedAndLossesCounted()
    {
        Assert.True(File.Exists("/usr/bin/nmap"), "nmap is not installed (make deps installs Debian's nmap)");
        using var lab = new ThreeTierLab();
        lab.WritePolicy(lab.EnforcedPolicy());
        lab.Serve("api", lab.ApiAddress, ThreeTierLab.ApiPort);
        lab.Serve("db", lab.DbAddress, ThreeTierLab.DbPort);
        var daemon = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        Assert.True(lab.Call("web", lab.ApiAddress, ThreeTierLab.ApiPort, TimeSpan.FromSeconds(5)), "web → api:8080 before the flood");
        Thread.Sleep(1000); // let the runtime settle after start-up before the baseline
        var rssBefore = Rss(daemon.Pid);

        using var stop = new CancellationTokenSource(FloodFor);
        long floodPackets = 0;
        var flood = Task.Factory.StartNew(() => floodPackets = SynFlood(lab, lab.ApiAddress, 9999, stop.Token), TaskCreationOptions.LongRunning);
        var scan = Task.Run(() => lab.RunIn("att", TimeSpan.FromSeconds(120), "/usr/bin/nmap",
            "-Pn", "-n", "-sS", "--min-rate", "50000", "--max-retries", "0", "--max-rtt-timeout", "100ms", "-p", "1-65535", "-oG", "-",
            lab.ApiAddress.ToString(), lab.DbAddress.ToString()));

        // While both run: every call of the scripted traffic completes.
        int calls = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            calls++;
            if (!lab.Call("web", lab.ApiAddress, ThreeTierLab.ApiPort, TimeSpan.FromSeconds(3)))
                failed++;
            if (!lab.Call("api", lab.DbAddress, ThreeTierLab.DbPort, TimeSpan.FromSeconds(3)))
                failed++;
        }
        flood.GetAwaiter().GetResult();
        var (scanCode, scanOutput) = scan.GetAwaiter().GetResult();
        log.WriteLine($"flood: {floodPackets} SYNs in {FloodFor.TotalSeconds} s ({floodPackets / FloodFor.TotalSeconds:F0}/s); {calls} rounds of calls, {failed} failed");
        log.WriteLine(scanOutput);
        Assert.Equal(0, scanCode);
        Assert.DoesNotContain("/open/", scanOutput, StringComparison.Ordinal);
        Assert.Equal(0, failed);
        Assert.True(floodPackets > 100_000, $"the flood sent only {floodPackets} packets");

        // The daemon drains what was delivered; then its count of lost events is the kernel's.
        Thread.Sleep(1500);
        var rssAfter = Rss(daemon.Pid);
        log.WriteLine($"RSS {rssBefore >> 20} MiB before, {rssAfter >> 20} MiB after");
        Assert.True(rssAfter - rssBefore < MaxGrowthBytes, $"microsegd grew from {rssBefore >> 20} to {rssAfter >> 20} MiB under the flood");

        var status = ThreeTierLab.Ctl("status", "--socket", lab.SocketPath, "--json");
        Assert.True(status.Code == 0, status.Err);
        using var document = JsonDocument.Parse(status.Out);
        var events = document.RootElement.GetProperty("events");
        ulong reportedRateLimited = events.GetProperty("lostRateLimited").GetUInt64(), reportedRingFull = events.GetProperty("lostRingFull").GetUInt64();
        var (kernelRateLimited, kernelRingFull) = KernelLosses(lab.PinDirectory);
        log.WriteLine($"delivered {events.GetProperty("delivered").GetInt64()}; lost: rate limited {reportedRateLimited} (kernel {kernelRateLimited}), ring full {reportedRingFull} (kernel {kernelRingFull})");
        Assert.Equal((kernelRateLimited, kernelRingFull), (reportedRateLimited, reportedRingFull));
        Assert.True(kernelRateLimited > 0, "the flood should have exceeded the per-source event rate limit");
        Assert.False(daemon.HasExited, daemon.LogText);
    }

    /// <summary>TCP SYNs from the attacker to address:port, from a new source port each, as fast as one thread sends them.</summary>
    private static long SynFlood(ThreeTierLab lab, IPAddress target, ushort port, CancellationToken stop)
    {
        using var ns = NetworkNamespace.Open(lab.Ns("att"));
        using var raw = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Tcp));
        var destination = new IPEndPoint(target, 0);
        var segment = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), port);
        segment[12] = 5 << 4; // data offset: 5 words
        segment[13] = 0x02;   // SYN
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 64240);
        long sent = 0;
        ushort source = 1024;
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < 1024; i++)
            {
                source = source == ushort.MaxValue ? (ushort)1024 : (ushort)(source + 1);
                BinaryPrimitives.WriteUInt16BigEndian(segment, source);
                BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), (uint)sent);
                try
                {
                    raw.SendTo(segment, destination);
                    sent++;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
                {
                }
            }
        }
        return sent;
    }

    private static (ulong RateLimited, ulong RingFull) KernelLosses(string pinDirectory)
    {
        using var map = BpfMap.OpenPinned(Path.Combine(pinDirectory, "ms_event_losses"));
        var losses = map.As<uint, EventLossCounter>();
        ulong Sum(EventLossReason reason)
        {
            Span<EventLossCounter> perCpu = new EventLossCounter[BpfMap.PossibleCpuCount];
            ulong total = 0;
            if (losses.TryLookupPerCpu((uint)reason, perCpu))
                foreach (var c in perCpu)
                    total += c.Events;
            return total;
        }
        return (Sum(EventLossReason.RateLimited), Sum(EventLossReason.RingFull));
    }

    /// <summary>A process's resident set size in bytes (VmRSS).</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
