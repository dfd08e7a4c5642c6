using Microseg.Bpf;

namespace Microseg.Agent.Hosting;

/// <summary>The real system, through Microseg.Bpf and libc.</summary>
public sealed class SystemProbe : ISystemProbe
{
    private const ulong RlimInfinity = ulong.MaxValue;

    public string? MissingPrivileges() => Privileges.IsRoot ? null : Privileges.MissingForBpf();

    public string KernelRelease() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    public bool HasKernelBtf() => File.Exists("/sys/kernel/btf/vmlinux");

    public bool IsBpfFsMounted(string path) => BpfFs.IsMounted(path);

    public void MountBpfFs(string path) => BpfFs.Mount(path);

    public bool TryRaiseMemlock(out ulong currentBytes)
    {
        var unlimited = new Interop.LibcExtra.RLimit { Current = RlimInfinity, Maximum = RlimInfinity };
        if (Interop.LibcExtra.setrlimit(Interop.LibcExtra.RLIMIT_MEMLOCK, in unlimited) == 0)
        {
            currentBytes = RlimInfinity;
            return true;
        }
        currentBytes = Interop.LibcExtra.getrlimit(Interop.LibcExtra.RLIMIT_MEMLOCK, out var limit) == 0 ? limit.Current : 0;
        return false;
    }
}
