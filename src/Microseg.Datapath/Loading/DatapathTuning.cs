using Microseg.Bpf;

namespace Microseg.Datapath.Loading;

/// <summary>
/// Settings the programs read as constants: written into their read-only data between open
/// and load (bpf/include/ms_config.h), so they cost nothing per packet. The defaults are the
/// header's.
/// </summary>
public sealed record DatapathTuning
{
    /// <summary>Idle time before an established TCP flow is forgotten (Cilium's six hours).</summary>
    public TimeSpan TcpEstablishedTimeout { get; init; } = TimeSpan.FromHours(6);
    /// <summary>Idle time before a TCP flow that never heard back is forgotten.</summary>
    public TimeSpan TcpOpeningTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long a flow is kept after FIN both ways or RST, for stragglers.</summary>
    public TimeSpan ClosedTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Idle time before a UDP, ICMP or other flow is forgotten.</summary>
    public TimeSpan OtherTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long later fragments follow their first fragment's verdict.</summary>
    public TimeSpan FragmentTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Deny and would-deny events per second per remote address, after the burst.</summary>
    public uint EventRatePerSecond { get; init; } = 10;
    /// <summary>Deny and would-deny events a remote address may send at once.</summary>
    public uint EventBurst { get; init; } = 20;
    /// <summary>
    /// Deny and would-deny events per second across all remotes (the global budget), after the
    /// burst: what a flood from ever new source addresses costs the ring, the daemon and the
    /// flow log at most. Divided evenly among the online CPUs (<see cref="OnlineCpuCount"/>), each
    /// of which keeps its own bucket: a flood that lands on one CPU gets that CPU's share.
    /// </summary>
    public uint EventBudgetPerSecond { get; init; } = 200;
    /// <summary>Deny and would-deny events all remotes together may send at once; divided like <see cref="EventBudgetPerSecond"/>.</summary>
    public uint EventBudgetBurst { get; init; } = 1000;

    /// <summary>CPUs the budget is shared among: the kernel's online CPUs.</summary>
    public int OnlineCpuCount { get; init; } = CountOnlineCpus();

    /// <summary>
    /// The kernel's HZ when known: the programs' clock is then jiffies; null runs it on the
    /// coarse nanosecond clock. <see cref="KernelClock.DetectHz"/> by default.
    /// </summary>
    public uint? KernelHz { get; init; } = KernelClock.DetectHz();

    public static DatapathTuning Default { get; } = new();

    /// <summary>The programs' clock rate: HZ, or nanoseconds when HZ is unknown.</summary>
    public ulong ClockTicksPerSecond => KernelHz ?? 1_000_000_000UL;

    /// <summary>Writes every setting into an opened, not yet loaded, object.</summary>
    public void ApplyTo(BpfObject program)
    {
        program.SetReadOnlyGlobal("ms_clock_ticks_per_sec", (ulong)(KernelHz ?? 0));
        program.SetReadOnlyGlobal("ms_ct_timeout_tcp_established", Ticks(TcpEstablishedTimeout));
        program.SetReadOnlyGlobal("ms_ct_timeout_tcp_opening", Ticks(TcpOpeningTimeout));
        program.SetReadOnlyGlobal("ms_ct_timeout_closed", Ticks(ClosedTimeout));
        program.SetReadOnlyGlobal("ms_ct_timeout_other", Ticks(OtherTimeout));
        program.SetReadOnlyGlobal("ms_fragment_timeout", Ticks(FragmentTimeout));
        program.SetReadOnlyGlobal("ms_event_rate_per_sec", EventRatePerSecond);
        program.SetReadOnlyGlobal("ms_event_burst", EventBurst);
        program.SetReadOnlyGlobal("ms_event_budget_per_sec", PerCpu(EventBudgetPerSecond));
        program.SetReadOnlyGlobal("ms_event_budget_burst", PerCpu(EventBudgetBurst));
    }

    /// <summary>A CPU's share of a budget, never below one (a zero rate would never refill).</summary>
    public uint PerCpu(uint total) => Math.Max(1, total / (uint)Math.Max(1, OnlineCpuCount));

    /// <summary>CPUs in /sys/devices/system/cpu/online ("0-3,8"), else the runtime's count.</summary>
    public static int CountOnlineCpus()
    {
        try
        {
            int count = 0;
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
            {
                var ends = range.Split('-');
                count += ends.Length == 2 ? int.Parse(ends[1], System.Globalization.CultureInfo.InvariantCulture) - int.Parse(ends[0], System.Globalization.CultureInfo.InvariantCulture) + 1 : 1;
            }
            return count > 0 ? count : Environment.ProcessorCount;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return Environment.ProcessorCount;
        }
    }

    /// <summary>A timeout in clock ticks, never below one tick.</summary>
    public ulong Ticks(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(span), span, "timeouts must be positive");
        var ticks = (ulong)(span.TotalSeconds * ClockTicksPerSecond);
        return Math.Max(ticks, 1);
    }
}
