using System.Globalization;

namespace Microseg.Agent.Notify;

/// <summary>
/// Whether the service manager expects WATCHDOG=1 keep-alives, and how often: WATCHDOG_USEC
/// is the timeout, and it is meant for us only when WATCHDOG_PID is unset or our pid
/// (sd_watchdog_enabled(3)). We ping at half the timeout, as sd_watchdog_enabled advises.
/// </summary>
public static class WatchdogSettings
{
    /// <summary>A floor for absurdly short timeouts: a timer cannot tick at zero.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>The ping interval, or null when no watchdog is expected of this process.</summary>
    public static TimeSpan? PingInterval(string? watchdogUsec, string? watchdogPid, int ownPid)
    {
        if (string.IsNullOrEmpty(watchdogUsec) ||
            !ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
            return null;
        if (!string.IsNullOrEmpty(watchdogPid) &&
            (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != ownPid))
            return null;
        var half = TimeSpan.FromTicks((long)Math.Min(usec / 2 * 10, (ulong)TimeSpan.MaxValue.Ticks));
        return half < MinimumInterval ? MinimumInterval : half;
    }

    /// <summary>From this process's environment.</summary>
    public static TimeSpan? FromEnvironment() => PingInterval(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
        Environment.GetEnvironmentVariable("WATCHDOG_PID"),
        Environment.ProcessId);
}
