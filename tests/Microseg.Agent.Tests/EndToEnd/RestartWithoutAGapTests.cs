using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// kill -9 of microsegd in the middle of a TCP stream: the programs stay attached, so no
/// packet of the stream is lost and no denied connection gets through while it is dead; the
/// restarted daemon adopts what is pinned, either as it is (same build: nothing loaded or
/// attached) or by swapping the programs atomically (another build).
/// </summary>
public sealed class RestartWithoutAGapTests
{
    private const int Allowed = 9090, Denied = 8080;

    [PrivilegedFact]
    public void KillNineMidStreamLosesNothingAndTheSameBuildIsAdoptedWithoutReattaching()
    {
        using var lab = new DaemonLab();
        var (before, after, log) = KillAndRestart(lab, changeBuild: false);
        Assert.Equal(before, after);
        Assert.Contains("Reusing the pinned programs", log);
        Assert.Contains("kept without rewriting it", log);
        Assert.DoesNotContain("attached (", log);
        Assert.DoesNotContain("replaced", log);
    }

    [PrivilegedFact]
    public void AnotherBuildReplacesTheProgramsAtomicallyAndKeepsConntrack()
    {
        using var lab = new DaemonLab();
        var (before, after, log) = KillAndRestart(lab, changeBuild: true);
        Assert.NotEqual(before.Xdp, after.Xdp);
        Assert.NotEqual(before.Tc, after.Tc);
        Assert.Contains("policy and conntrack adopted", log);
        Assert.Contains($"xdp program {before.Xdp} replaced, tc program {before.Tc} replaced", log);
    }

    private static ((uint Xdp, uint Tc) Before, (uint Xdp, uint Tc) After, string Log) KillAndRestart(DaemonLab lab, bool changeBuild)
    {
        lab.WritePolicy(lab.Policy(Allowed));
        using var allowed = lab.Listen(Allowed);
        using var denied = lab.Listen(Denied);
        var first = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        var before = lab.AttachedProgramIds();

        var client = lab.TryConnect(Allowed, DaemonLab.Expected);
        Assert.NotNull(client);
        Assert.True(allowed.Poll(DaemonLab.Expected, System.Net.Sockets.SelectMode.SelectRead));
        using var stream = new TcpStream(client, allowed.Accept());
        Thread.Sleep(300);

        first.Signal(9);
        Assert.True(first.WaitForExit(DaemonLab.Expected));
        // Nobody runs the policy now but the kernel: it still drops what it denies.
        lab.AssertDenied(Denied);
        Assert.Equal(before, lab.AttachedProgramIds());

        if (changeBuild)
        {
            // As after an upgrade: the recorded build no longer matches the objects on disk.
            var state = Path.Combine(lab.StateDirectory, "state.json");
            File.WriteAllText(state, File.ReadAllText(state).Replace("\"buildSha256\": \"", "\"buildSha256\": \"0"));
        }
        var second = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        var after = lab.AttachedProgramIds();
        Thread.Sleep(300);

        var (sent, received) = stream.Finish(DaemonLab.Expected);
        Assert.True(sent > 0 && received == sent, $"sent {sent} bytes, {received} came back");
        // No segment lost: every retransmission, if any (a tail loss probe on a busy 2-core
        // machine), was answered by a duplicate SACK, so the receiver already had it.
        var (clientRetransmits, serverRetransmits) = stream.Retransmissions();
        var (clientDsacks, serverDsacks) = (DaemonLab.DuplicateSacksReceived(lab.A), DaemonLab.DuplicateSacksReceived(lab.B));
        Assert.True(clientRetransmits <= clientDsacks && serverRetransmits <= serverDsacks,
            $"segments were lost: client retransmitted {clientRetransmits} ({clientDsacks} duplicate SACKs), server {serverRetransmits} ({serverDsacks})");
        Console.WriteLine($"{(changeBuild ? "new build" : "same build")}: {sent} bytes echoed; retransmissions client {clientRetransmits} server {serverRetransmits}; duplicate SACKs {clientDsacks}/{serverDsacks}");
        lab.AssertDenied(Denied);
        lab.AssertAllowed(Allowed);

        second.Signal(15);
        Assert.True(second.WaitForExit(DaemonLab.Expected));
        return (before, after, second.LogText);
    }
}
