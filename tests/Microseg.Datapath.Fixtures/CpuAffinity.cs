using System.ComponentModel;
using Microseg.Bpf;
using Tmds.Linux;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// Pins the calling thread to CPUs (sched_setaffinity with pid 0 means "this thread").
/// BPF_PROG_TEST_RUN runs a program on the caller's CPU, and per-CPU state (maps, conntrack's
/// per-CPU LRU free lists, the endpoint memo) makes which CPU that is matter: benchmarks
/// compare runs on one CPU, tests look at the CPU that ran them. Nothing that ships pins
/// threads, so it lives beside the fixtures both use.
/// </summary>
public static unsafe class CpuAffinity
{
    // Tmds.LibC's cpu_set_t is glibc's default 1024 bits (16 words): enough for any machine this runs on.
    private const int MaskWords = 16;

    /// <summary>The CPUs this thread may run on now, ascending.</summary>
    public static int[] Allowed()
    {
        cpu_set_t set = default;
        var mask = (ulong*)&set;
        if (LibC.sched_getaffinity(0, sizeof(cpu_set_t), &set) != 0)
            throw new Win32Exception(Interop.LastErrno, "sched_getaffinity");
        var cpus = new List<int>();
        for (var cpu = 0; cpu < MaskWords * 64; cpu++)
        {
            if ((mask[cpu / 64] & (1ul << (cpu % 64))) != 0)
                cpus.Add(cpu);
        }
        return [.. cpus];
    }

    /// <summary>Restricts this thread to the given CPUs.</summary>
    public static void Set(IEnumerable<int> cpus)
    {
        cpu_set_t set = default;
        var mask = (ulong*)&set;
        foreach (var cpu in cpus)
            mask[cpu / 64] |= 1ul << (cpu % 64);
        if (LibC.sched_setaffinity(0, sizeof(cpu_set_t), &set) != 0)
            throw new Win32Exception(Interop.LastErrno, $"sched_setaffinity({string.Join(',', cpus)})");
    }

    /// <summary>Pins this thread to cpu until the returned scope is disposed.</summary>
    public static Scope PinTo(int cpu)
    {
        var before = Allowed();
        Set([cpu]);
        return new Scope(before);
    }

    /// <summary>Restores the affinity a <see cref="PinTo"/> replaced.</summary>
    public readonly struct Scope(int[] before) : IDisposable
    {
        public void Dispose() => Set(before);
    }
}
