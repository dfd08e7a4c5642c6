using System.Diagnostics;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// microsegd as a real process in a lab of namespaces, watched through a notify socket the
/// test owns: ready only once enforcing, reloads that change enforcement, a broken file that
/// changes nothing, and a stop that leaves enforcement in place; then --uninstall removes it all.
/// </summary>
public sealed class DaemonLifecycleTests
{
    private const int Web = 8080, Admin = 9090;

    [PrivilegedFact]
    public void ReadyAfterAttachReloadsRefusesABrokenFileAndStopsWithoutDetaching()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(Web));
        using var web = lab.Listen(Web);
        using var admin = lab.Listen(Admin);

        var clock = Stopwatch.StartNew();
        var daemon = lab.StartDaemon();
        var ready = lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        var readyAfter = clock.Elapsed;

        // At READY=1 both programs are on the interface and the policy is live.
        var (xdp, tc) = lab.AttachedProgramIds();
        Assert.Equal("ms_xdp_ingress", DaemonLab.ProgramName(xdp));
        Assert.Equal("ms_tc_egress", DaemonLab.ProgramName(tc));
        Assert.StartsWith("enforcing generation ", Notify.NotifySocket.Value(ready, "STATUS"));
        lab.AssertAllowed(Web);
        lab.AssertDenied(Admin);

        // Rewriting the file changes enforcement.
        lab.WritePolicy(lab.Policy(Admin));
        lab.WaitUntilAllowed(Admin, DaemonLab.Expected);
        lab.AssertDenied(Web);

        // A broken file is refused whole, with its position, and the last policy stays.
        lab.WritePolicy(lab.Policy(Web).Replace("action: allow", "action: alow"));
        var error = daemon.WaitForLog(": error: ", DaemonLab.Expected);
        Assert.Matches(@"policy\.yaml:\d+:\d+: error: ", error);
        lab.AssertAllowed(Admin);
        lab.AssertDenied(Web);

        // SIGHUP: RELOADING=1 with the monotonic clock, then READY=1 (the file is still broken).
        daemon.Signal(1);
        var reloading = lab.Notify.WaitFor("RELOADING=1", DaemonLab.Expected);
        Assert.NotNull(Notify.NotifySocket.Value(reloading, "MONOTONIC_USEC"));
        var again = lab.Notify.WaitFor("READY=1", DaemonLab.Expected);
        Assert.Contains("2 reloads refused", Notify.NotifySocket.Value(again, "STATUS"));

        // SIGTERM: STOPPING=1, a clean exit, and the programs keep enforcing the last policy.
        daemon.Signal(15);
        lab.Notify.WaitFor("STOPPING=1", DaemonLab.Expected);
        Assert.True(daemon.WaitForExit(DaemonLab.Expected), "microsegd did not exit after SIGTERM");
        Assert.Equal(0, daemon.ExitCode);
        Assert.Equal((xdp, tc), lab.AttachedProgramIds());
        lab.AssertAllowed(Admin);
        lab.AssertDenied(Web);

        // --uninstall detaches and removes every pin and the state.
        var (exitCode, log) = DaemonProcess.RunToEnd(lab.Arguments("--uninstall"), DaemonLab.Expected * 2);
        Assert.True(exitCode == 0, log);
        Assert.Equal((0u, 0u), lab.AttachedProgramIds());
        Assert.False(Directory.Exists(lab.PinDirectory), $"{lab.PinDirectory} is still there");
        Assert.False(File.Exists(Path.Combine(lab.StateDirectory, "state.json")));
        lab.AssertAllowed(Web);
        Console.WriteLine($"exec to READY=1: {readyAfter.TotalMilliseconds:0} ms");
    }

    [PrivilegedFact]
    public void ANewInterfaceIsAttachedAndAGoneOneForgotten()
    {
        using var lab = new DaemonLab();
        lab.WritePolicy(lab.Policy(Web));
        var args = lab.Arguments();
        // Every interface of B's namespace, looked for every second.
        args[Array.IndexOf(args, "--interface") + 1] = $"*@{lab.Network.NamespaceB}";
        using var daemon = DaemonProcess.Start(args, lab.Notify.Name);
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        Assert.NotEqual(0u, lab.AttachedProgramIds().Xdp);

        IpTool.Run("-n", lab.Network.NamespaceB, "link", "add", "extra0", "type", "veth", "peer", "name", "extra1");
        IpTool.Run("-n", lab.Network.NamespaceB, "link", "set", "extra0", "up");
        daemon.WaitForLog($"extra0@{lab.Network.NamespaceB} (ifindex", DaemonLab.Expected);
        var attached = IpTool.Run("-n", lab.Network.NamespaceB, "link", "show", "extra0");
        Assert.Contains("ms_xdp_ingress", attached);

        IpTool.Run("-n", lab.Network.NamespaceB, "link", "del", "extra0");
        daemon.WaitForLog($"extra0@{lab.Network.NamespaceB} is gone: forgotten.", DaemonLab.Expected);
        daemon.Signal(15);
        Assert.True(daemon.WaitForExit(DaemonLab.Expected));
    }
}
