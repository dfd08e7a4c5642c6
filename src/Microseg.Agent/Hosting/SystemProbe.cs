using System.Runtime.InteropServices;
using Microseg.Bpf;

namespace Microseg.Agent.Hosting;

/// <summary>The real system, through Microseg.Bpf and libc.</summary>
public sealed partial class SystemProbe : ISystemProbe
{
    private const int RlimitMemlock = 8;
    private const ulong RlimInfinity = ulong.MaxValue;

    public string? MissingPrivileges() => Privileges.IsRoot ? null : Privileges.MissingForBpf();

    public string KernelRelease() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    public bool HasKernelBtf() => File.Exists("/sys/kernel/btf/vmlinux");

    public bool IsBpfFsMounted(string path) => BpfFs.IsMounted(path);

    public void MountBpfFs(string path) => BpfFs.Mount(path);

    public bool TryRaiseMemlock(out ulong currentBytes)
    {
        var unlimited = new RLimit { Current = RlimInfinity, Maximum = RlimInfinity };
        if (setrlimit(RlimitMemlock, in unlimited) == 0)
        {
            currentBytes = RlimInfinity;
            return true;
        }
        currentBytes = getrlimit(RlimitMemlock, out var limit) == 0 ? limit.Current : 0;
        return false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);
}
