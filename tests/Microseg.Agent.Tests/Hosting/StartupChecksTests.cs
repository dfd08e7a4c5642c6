using Microseg.Agent.Hosting;

namespace Microseg.Agent.Tests.Hosting;

/// <summary>Every startup check's failure, reached through a fake system: one sentence and its own exit code.</summary>
public sealed class StartupChecksTests
{
    private sealed class FakeProbe : ISystemProbe
    {
        public string? Missing;
        public string Release = "6.18.0-1-amd64";
        public bool Btf = true;
        public bool Mounted = true;
        public Exception? MountFailure;
        public bool Mounts;
        public bool MemlockRaised = true;
        public ulong Memlock = 64 * 1024;

        public string? MissingPrivileges() => Missing;
        public string KernelRelease() => Release;
        public bool HasKernelBtf() => Btf;
        public bool IsBpfFsMounted(string path) => Mounted;
        public void MountBpfFs(string path)
        {
            if (MountFailure is not null)
                throw MountFailure;
            Mounts = true;
        }
        public bool TryRaiseMemlock(out ulong currentBytes)
        {
            currentBytes = Memlock;
            return MemlockRaised;
        }
    }

    private static StartupException Fails(FakeProbe probe) =>
        Assert.Throws<StartupException>(() => StartupChecks.Run(probe, "/sys/fs/bpf/microseg"));

    [Fact]
    public void AHealthySystemPasses() => StartupChecks.Run(new FakeProbe(), "/sys/fs/bpf/microseg");

    [Fact]
    public void MissingPrivilegesExitWithThree()
    {
        var e = Fails(new FakeProbe { Missing = "this process lacks CAP_BPF." });
        Assert.Equal(ExitCode.MissingPrivileges, e.ExitCode);
        Assert.Equal("this process lacks CAP_BPF.", e.Message);
    }

    [Theory]
    [InlineData("5.15.0-91-generic", "Kernel 5.15.0-91-generic is too old: microsegd needs Linux 6.1 or later.")]
    [InlineData("garbage", "Kernel garbage is too old: microsegd needs Linux 6.1 or later.")]
    public void AnOldKernelExitsWithFour(string release, string message)
    {
        var e = Fails(new FakeProbe { Release = release });
        Assert.Equal(ExitCode.KernelUnsupported, e.ExitCode);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AKernelWithoutBtfExitsWithFour()
    {
        var e = Fails(new FakeProbe { Btf = false });
        Assert.Equal(ExitCode.KernelUnsupported, e.ExitCode);
        Assert.Contains("exposes no BTF", e.Message);
    }

    [Fact]
    public void AMissingBpfFsIsMounted()
    {
        var probe = new FakeProbe { Mounted = false };
        StartupChecks.Run(probe, "/sys/fs/bpf/microseg");
        Assert.True(probe.Mounts);
    }

    [Fact]
    public void ABpfFsThatCannotBeMountedExitsWithFive()
    {
        var e = Fails(new FakeProbe { Mounted = false, MountFailure = new IOException("mount: Operation not permitted") });
        Assert.Equal(ExitCode.BpfFsUnavailable, e.ExitCode);
        Assert.Equal("bpffs is not mounted at /sys/fs/bpf and mounting it failed (mount: Operation not permitted).", e.Message);
    }

    [Fact]
    public void AMemlockLimitMattersOnlyOnKernelsWithoutMemcgAccounting()
    {
        // 6.x charges BPF memory to the cgroup: a low RLIMIT_MEMLOCK that cannot be raised is fine.
        StartupChecks.Run(new FakeProbe { MemlockRaised = false }, "/sys/fs/bpf/microseg");

        // Were the minimum kernel ever lowered below 5.11, the limit would matter: exit 6.
        Assert.True(StartupChecks.MemcgAccountingKernel <= StartupChecks.MinimumKernel);
    }

    [Fact]
    public void EveryFailureHasItsOwnExitCode()
    {
        var codes = Enum.GetValues<ExitCode>().Select(c => (int)c).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Theory]
    [InlineData("6.18.0-rc1-amd64", 6, 18)]
    [InlineData("6.1.0-13-cloud-amd64", 6, 1)]
    [InlineData("5.4", 5, 4)]
    public void KernelReleasesParse(string release, int major, int minor) =>
        Assert.Equal(new Version(major, minor), StartupChecks.ParseKernelVersion(release));

    [Theory]
    [InlineData("/sys/fs/bpf/microseg", "/sys/fs/bpf")]
    [InlineData("/sys/fs/bpf/a/b", "/sys/fs/bpf")]
    [InlineData("/mnt/bpf/microseg", "/mnt/bpf")]
    public void PinsGoOnTheBpfFsAboveThem(string pins, string root) =>
        Assert.Equal(root, StartupChecks.BpfFsRoot(pins));
}
