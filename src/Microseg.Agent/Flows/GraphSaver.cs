using Microsoft.Extensions.Hosting;

namespace Microseg.Agent.Flows;

/// <summary>Saves the discovery graph every <see cref="Interval"/> and once more at shutdown.</summary>
public sealed class GraphSaver(FlowStore store) : BackgroundService
{
    /// <summary>How much discovery a crash can lose: one minute of it.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                store.Save();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        store.Save();
    }
}
