using Microseg.Agent.Hosting;
using Microseg.Bpf;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// microsegd started on pins that a build of another map layout or ABI version left (made
/// here from a real run's pins): it never reads them as its own. It writes the policy into
/// new maps, pins them in place of the old ones and only then swaps the programs, so
/// enforcement never lapses; or, with no valid policy to write, it changes nothing and exits
/// with its own code, naming the map, what it expected and what it found.
/// </summary>
public sealed class PinnedStateUpgradeTests
{
    private const int Allowed = 9090, Denied = 8080;

    [PrivilegedFact]
    public void MapsOfAnotherLayoutAreReplacedOnlyAfterThePolicyIsWrittenIntoNewOnes()
    {
        using var lab = new DaemonLab();
        using var allowed = lab.Listen(Allowed);
        using var denied = lab.Listen(Denied);
        var before = RunOnceAndStop(lab);
        var conntrack = Path.Combine(lab.PinDirectory, "ms_conntrack");
        var old = OtherBuildPins.ReplaceMap(conntrack, "lru_hash", 40, 48, 1024);

        var second = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        var log = second.LogText;
        Assert.Contains("ms_conntrack: value size 56 expected, 48 found", log);
        using (var pinned = BpfMap.OpenPinned(conntrack))
        {
            Assert.NotEqual(old, pinned.Id);
            Assert.Equal(56u, pinned.ValueSize);
        }
        // The new maps held the policy before any interface ran the programs that read them.
        var replacedPins = log.IndexOf("replace the old pins", StringComparison.Ordinal);
        var swapped = log.IndexOf($"xdp program {before.Xdp} replaced, tc program {before.Tc} replaced", StringComparison.Ordinal);
        Assert.True(replacedPins >= 0 && swapped > replacedPins, log);
        lab.AssertAllowed(Allowed);
        lab.AssertDenied(Denied);

        second.Signal(15);
        Assert.True(second.WaitForExit(DaemonLab.Expected));
        Assert.Equal(0, second.ExitCode);
    }

    [PrivilegedFact]
    public void AnotherAbiVersionWithNoValidPolicyToMoveIsRefusedAndNothingChanges()
    {
        using var lab = new DaemonLab();
        using var allowed = lab.Listen(Allowed);
        using var denied = lab.Listen(Denied);
        var before = RunOnceAndStop(lab);
        OtherBuildPins.SetAbiVersion(lab.PinDirectory, 99);
        var pins = Directory.GetFiles(lab.PinDirectory).Where(p => Path.GetFileName(p).StartsWith("ms_", StringComparison.Ordinal))
            .ToDictionary(p => p, OtherBuildPins.MapId);
        lab.WritePolicy(lab.Policy(Allowed).Replace("protocol: tcp", "protocol: tcpp"));

        var (exitCode, log) = DaemonProcess.RunToEnd(lab.Arguments(), DaemonLab.Startup);
        Assert.True(exitCode == (int)ExitCode.PinnedStateIncompatible, log);
        Assert.Contains("ms_abi_version: ABI version 1 expected, 99 found", log);
        Assert.Contains("nothing was replaced", log);
        Assert.DoesNotContain("   at ", log);
        foreach (var (path, id) in pins)
            Assert.Equal(id, OtherBuildPins.MapId(path));
        // The programs of the earlier run still enforce its policy.
        Assert.Equal(before, lab.AttachedProgramIds());
        lab.AssertAllowed(Allowed);
        lab.AssertDenied(Denied);
    }

    /// <summary>A run that pins and attaches everything, stopped; as an upgrade finds it, with the build recorded changed.</summary>
    private static (uint Xdp, uint Tc) RunOnceAndStop(DaemonLab lab)
    {
        lab.WritePolicy(lab.Policy(Allowed));
        var first = lab.StartDaemon();
        lab.Notify.WaitFor("READY=1", DaemonLab.Startup);
        var ids = lab.AttachedProgramIds();
        first.Signal(15);
        Assert.True(first.WaitForExit(DaemonLab.Expected));
        var state = Path.Combine(lab.StateDirectory, "state.json");
        File.WriteAllText(state, File.ReadAllText(state).Replace("\"buildSha256\": \"", "\"buildSha256\": \"0", StringComparison.Ordinal));
        return ids;
    }
}
