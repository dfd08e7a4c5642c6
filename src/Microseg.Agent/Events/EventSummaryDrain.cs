using Microseg.Agent.Flows;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Maps;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Events;

/// <summary>
/// Every <see cref="Interval"/>, takes the kernel's summaries of denials that got no event (per-source
/// rate limit, global budget, full ring; <see cref="EventSummaryReader"/>) and records one deny
/// summary per endpoint, direction, service and reason (<see cref="FlowStore.AddSummaries"/>): so a
/// flood costs the flow log a few lines per interval, and delivered deny events plus summaries are
/// the kernel's deny verdict counters. A last drain on stop keeps what the final interval counted.
/// </summary>
public sealed class EventSummaryDrain(DatapathMaps maps, FlowStore flows, TimeSpan interval, ILogger<EventSummaryDrain> logger)
    : IHostedService, IDisposable
{
    /// <summary>The default interval: a summary line per key every ten seconds at most.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly EventSummaryReader _reader = new(maps);
    private readonly CancellationTokenSource _stop = new();

    // Serialises drains: the periodic one and the last one on stop.
    private readonly Lock _drainLock = new();
    private Task? _loop;
    private long _summarisedDenials;
    private long _summarisedWouldDenials;
    private long _summaries;

    /// <summary>How often the summaries are taken.</summary>
    public TimeSpan Interval { get; } = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval));

    /// <summary>Denials (enforce) recorded in summaries since start.</summary>
    public long SummarisedDenials => Interlocked.Read(ref _summarisedDenials);

    /// <summary>Would-deny denials (monitor) recorded in summaries since start.</summary>
    public long SummarisedWouldDenials => Interlocked.Read(ref _summarisedWouldDenials);

    /// <summary>Summary records written since start.</summary>
    public long Summaries => Interlocked.Read(ref _summaries);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is not null)
            await _loop;
        DrainOnce();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                DrainOnce();
        }
        catch (OperationCanceledException)
        {
            // Stopping: the last drain is StopAsync's.
        }
    }

    /// <summary>Takes and records what the kernel summarised since the last drain.</summary>
    public void DrainOnce()
    {
        lock (_drainLock)
        {
            try
            {
                var summaries = _reader.Drain();
                flows.AddSummaries(summaries, DateTimeOffset.UtcNow);
                foreach (var s in summaries)
                {
                    if (s.Key.Verdict == Verdict.Deny)
                        Interlocked.Add(ref _summarisedDenials, (long)s.Packets);
                    else
                        Interlocked.Add(ref _summarisedWouldDenials, (long)s.Packets);
                }
                Interlocked.Add(ref _summaries, summaries.Count);
            }
            catch (Exception e) when (e is BpfException or IOException)
            {
                logger.LogError("Reading the deny summaries (ms_event_summaries) failed: {Error}", e.Message);
            }
        }
    }

    public void Dispose() => _stop.Dispose();
}
