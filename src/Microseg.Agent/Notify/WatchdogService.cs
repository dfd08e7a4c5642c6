using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Microseg.Agent.Notify;

/// <summary>
/// Sends WATCHDOG=1 at half of WATCHDOG_USEC while the host runs; nothing when no watchdog is set.
/// Microsoft.Extensions.Hosting.Systemd sends READY=1 and STOPPING=1 only, so the pings are ours.
/// </summary>
public sealed class WatchdogService(ISystemdNotifier notifier) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled || WatchdogSettings.FromEnvironment() is not { } interval)
            return;
        using var timer = new PeriodicTimer(interval);
        notifier.Notify(NotifyMessages.Watchdog);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                notifier.Notify(NotifyMessages.Watchdog);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
