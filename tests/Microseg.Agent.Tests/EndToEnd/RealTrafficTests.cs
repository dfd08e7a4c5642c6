using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microseg.TestSupport;
using Xunit.Abstractions;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// Issue 5 on real traffic: microsegd in monitor mode over a three-tier lab (web → api:8080 →
/// db:5432, an attacker in world) discovers exactly the flows it sees and reports them as
/// would-deny; the policy suggested from them, enforced, lets every one through while an nmap
/// scan from the attacker finds nothing open; simulate, lint and exposure agree.
/// </summary>
public sealed partial class RealTrafficTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Call = TimeSpan.FromSeconds(5);

    [PrivilegedFact]
    public void DiscoveredMapSuggestedPolicyAndNmapAgreeOnAThreeTierLab()
    {
        Assert.True(System.IO.File.Exists("/usr/bin/nmap"), "nmap is not installed (make deps installs Debian's nmap)");
        var clock = Stopwatch.StartNew();
        using var lab = new ThreeTierLab();
        lab.WritePolicy(lab.MonitorPolicy());
        lab.Serve("api", lab.ApiAddress, ThreeTierLab.ApiPort);
        lab.Serve("db", lab.DbAddress, ThreeTierLab.DbPort);
        var daemon = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        log.WriteLine($"ready after {clock.Elapsed.TotalSeconds:F1} s");
        var socket = new[] { "--socket", lab.SocketPath };

        // Monitor mode: the scripted traffic passes and is recorded.
        for (var i = 0; i < 3; i++)
        {
            Assert.True(lab.Call("web", lab.ApiAddress, ThreeTierLab.ApiPort, Call), "web → api:8080 in monitor mode");
            Assert.True(lab.Call("api", lab.DbAddress, ThreeTierLab.DbPort, Call), "api → db:5432 in monitor mode");
        }

        // Each flow between two endpoints of this host is judged at both ends: egress and ingress.
        string[] expected =
        [
            "api -> db egress tcp/5432 at api",
            "api -> db ingress tcp/5432 at db",
            "web -> api egress tcp/8080 at web",
            "web -> api ingress tcp/8080 at api",
        ];
        var edges = WaitForEdges(socket, expected.Length);
        Assert.Equal(expected, edges.Select(e => e.Text));
        Assert.All(edges, e => Assert.Equal((3, 3, 0), (e.Flows, e.WouldDeny, e.Allowed)));

        var monitor = ThreeTierLab.Ctl(["monitor", .. socket, "--format", "json"]);
        Assert.Equal(0, monitor.Code);
        using (var report = JsonDocument.Parse(monitor.Out))
        {
            var groups = report.RootElement.GetProperty("groups").EnumerateArray()
                .Select(g => $"{g.GetProperty("endpoint").GetString()} {g.GetProperty("remote").GetString()} {g.GetProperty("direction").GetString()} " +
                             $"{g.GetProperty("protocol").GetString()}/{g.GetProperty("port").GetInt32()} {g.GetProperty("rule").GetString()} " +
                             $"{g.GetProperty("wouldDeny").GetInt64()}/{g.GetProperty("denied").GetInt64()}")
                .Order(StringComparer.Ordinal).ToList();
            Assert.Equal(
                [
                    "api db egress tcp/5432 default 3/0",
                    "api web ingress tcp/8080 default 3/0",
                    "db api ingress tcp/5432 default 3/0",
                    "web api egress tcp/8080 default 3/0",
                ],
                groups);
        }

        // The flow log is a flow file the commands read as it is.
        var fromLog = ThreeTierLab.Ctl("discover", "--flows", lab.FlowLogPath, "--format", "json");
        Assert.Equal(0, fromLog.Code);
        Assert.Equal(expected, Edges(fromLog.Out).Select(e => e.Text));

        // Suggest from the daemon, with the monitor policy's identities; enforce it.
        var suggested = lab.File("suggested.yaml");
        var suggest = ThreeTierLab.Ctl(["policy", "suggest", .. socket, "--identities", lab.PolicyPath, "-o", suggested]);
        Assert.True(suggest.Code == 0, suggest.Err);
        var enforced = lab.File("enforced.yaml");
        var text = System.IO.File.ReadAllText(suggested);
        Assert.Contains("mode: monitor", text, StringComparison.Ordinal);
        System.IO.File.WriteAllText(enforced, text.Replace("mode: monitor", "mode: enforce", StringComparison.Ordinal));
        log.WriteLine(System.IO.File.ReadAllText(enforced));
        var check = ThreeTierLab.Ctl("policy", "check", enforced);
        Assert.True(check.Code == 0, check.Out + check.Err);

        // Simulate before applying: nothing recorded is newly blocked; the would-deny flows become allowed.
        var simulate = ThreeTierLab.Ctl(["policy", "simulate", enforced, .. socket, "--format", "json"]);
        Assert.True(simulate.Code == 0, simulate.Err);
        using (var report = JsonDocument.Parse(simulate.Out))
        {
            Assert.Equal(0, report.RootElement.GetProperty("newlyBlocked").GetArrayLength());
            Assert.Equal(4, report.RootElement.GetProperty("newlyAllowed").GetArrayLength());
        }

        // Lint: every suggested rule was hit by the recorded flows; nothing shadowed or broad.
        var lint = ThreeTierLab.Ctl(["policy", "lint", enforced, "--from-daemon", .. socket]);
        Assert.True(lint.Code == 0, $"lint findings:\n{lint.Out}{lint.Err}");

        // Exposure: exactly the two services remain, far below a flat network.
        var exposure = ThreeTierLab.Ctl("policy", "exposure", enforced, "--format", "json");
        Assert.Equal(0, exposure.Code);
        using (var report = JsonDocument.Parse(exposure.Out))
        {
            var root = report.RootElement;
            Assert.Equal(2, root.GetProperty("reachable").GetInt64());
            Assert.Equal(2, root.GetProperty("reachablePairs").GetInt32());
            Assert.InRange(root.GetProperty("exposure").GetDouble(), double.Epsilon, 0.001);
        }

        // Apply: the daemon reloads the rewritten file; the observed traffic still flows.
        lab.WritePolicy(System.IO.File.ReadAllText(enforced));
        daemon.WaitForLog(": generation 2 live", DaemonLab.Expected);
        log.WriteLine($"enforcing after {clock.Elapsed.TotalSeconds:F1} s");
        for (var i = 0; i < 3; i++)
        {
            Assert.True(lab.Call("web", lab.ApiAddress, ThreeTierLab.ApiPort, Call), "web → api:8080 enforced");
            Assert.True(lab.Call("api", lab.DbAddress, ThreeTierLab.DbPort, Call), "api → db:5432 enforced");
        }
        Assert.False(lab.Call("att", lab.ApiAddress, ThreeTierLab.ApiPort, TimeSpan.FromSeconds(1.5)), "the attacker must not reach api:8080");
        Assert.False(lab.Call("web", lab.DbAddress, ThreeTierLab.DbPort, TimeSpan.FromSeconds(1.5)), "web must not reach db:5432");

        // nmap: from web, api's 8080 is open (the scan works); from the attacker, nothing is.
        var fromWeb = Nmap(lab, "web", "8080,5432", lab.ApiAddress.ToString());
        Assert.Equal([$"{lab.ApiAddress} 8080"], fromWeb);
        var fromAttacker = Nmap(lab, "att", "1-10000", lab.WebAddress.ToString(), lab.ApiAddress.ToString(), lab.DbAddress.ToString());
        Assert.Empty(fromAttacker);
        log.WriteLine($"scanned after {clock.Elapsed.TotalSeconds:F1} s");

        // The scan's denials are in the daemon's monitor report as denied from world.
        var denied = ThreeTierLab.Ctl(["monitor", .. socket]);
        Assert.True(denied.Code == 0, denied.Err);
        Assert.Contains("world", denied.Out, StringComparison.Ordinal);
        Assert.False(daemon.HasExited, daemon.LogText);
    }

    /// <summary>Open ports nmap finds ("ADDRESS PORT"), from a grepable SYN scan; fails when a host was not scanned whole.</summary>
    private List<string> Nmap(ThreeTierLab lab, string role, string ports, params string[] targets)
    {
        var clock = Stopwatch.StartNew();
        var (code, output) = lab.RunIn(role, TimeSpan.FromSeconds(150), "/usr/bin/nmap",
            // A SYN scan at a lab's pace: round trips here are well under a millisecond, so a dropped
            // probe is given 200 ms, not nmap's default of up to seconds (30,000 filtered ports).
            ["-Pn", "-n", "-sS", "-T4", "--max-retries", "1", "--max-rtt-timeout", "200ms", "--min-rate", "3000",
             "--host-timeout", "60s", "-p", ports, "-oG", "-", .. targets]);
        log.WriteLine($"nmap from {role} ({clock.Elapsed.TotalSeconds:F1} s):\n{output}");
        Assert.Equal(0, code);
        Assert.DoesNotContain("Status: Timeout", output, StringComparison.Ordinal);
        Assert.Contains("# Nmap done at", output, StringComparison.Ordinal);
        foreach (var target in targets)
            Assert.Contains($"Host: {target} ", output, StringComparison.Ordinal);
        var open = new List<string>();
        foreach (Match host in HostLine().Matches(output))
            foreach (Match port in OpenPort().Matches(host.Groups["ports"].Value))
                open.Add($"{host.Groups["address"].Value} {port.Groups["port"].Value}");
        return open;
    }

    [GeneratedRegex(@"^Host: (?<address>\S+) .*?Ports: (?<ports>.*)$", RegexOptions.Multiline)]
    private static partial Regex HostLine();

    [GeneratedRegex(@"(?<port>\d+)/open/")]
    private static partial Regex OpenPort();

    private sealed record Edge(string Text, long Flows, long Allowed, long WouldDeny);

    /// <summary>The daemon's edges, polled until there are at least <paramref name="count"/> (events arrive within a poll interval).</summary>
    private static List<Edge> WaitForEdges(string[] socket, int count)
    {
        var deadline = DateTime.UtcNow + DaemonLab.Expected;
        while (true)
        {
            var run = ThreeTierLab.Ctl(["discover", .. socket, "--format", "json"]);
            Assert.True(run.Code == 0, run.Err);
            var edges = Edges(run.Out);
            if ((edges.Count >= count && edges.Sum(e => e.Flows) >= 3 * count) || DateTime.UtcNow > deadline)
                return edges;
            Thread.Sleep(200);
        }
    }

    private static List<Edge> Edges(string graphJson)
    {
        using var graph = JsonDocument.Parse(graphJson);
        return graph.RootElement.GetProperty("edges").EnumerateArray()
            .Select(e => new Edge(
                $"{e.GetProperty("from").GetString()} -> {e.GetProperty("to").GetString()} {e.GetProperty("direction").GetString()} " +
                $"{e.GetProperty("protocol").GetString()}/{e.GetProperty("port").GetInt32()} at {e.GetProperty("local").GetString()}",
                e.GetProperty("flows").GetInt64(), e.GetProperty("allowed").GetInt64(), e.GetProperty("wouldDeny").GetInt64()))
            .OrderBy(e => e.Text, StringComparer.Ordinal)
            .ToList();
    }
}
