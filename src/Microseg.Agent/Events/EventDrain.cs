using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Maps;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Events;

/// <summary>
/// Reads the flow-event ring on a thread of its own, so it never stays full (a full ring
/// loses events in the kernel, counted as ring-full). Counts what it delivers and, when a
/// flow log is configured, appends each event to it as a JSON line.
/// </summary>
public sealed class EventDrain(DatapathMaps maps, FlowLogWriter? flowLog, ILogger<EventDrain> logger) : IHostedService, IDisposable
{
    /// <summary>How long one wait for events lasts: bounds how late a stop is noticed.</summary>
    private const int PollMilliseconds = 250;

    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private long _delivered;

    /// <summary>Events read from the ring since start.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var reader = new RingBufferReader(maps.Events);
        _thread = new Thread(() => Run(reader)) { IsBackground = true, Name = "microseg events" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
        return Task.CompletedTask;
    }

    private void Run(RingBufferReader reader)
    {
        using (reader)
        {
            var handler = new Handler(flowLog);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var count = reader.Poll(PollMilliseconds, ref handler);
                    if (count > 0)
                    {
                        Interlocked.Add(ref _delivered, count);
                        flowLog?.Flush();
                    }
                }
                catch (Exception e) when (e is BpfException or IOException)
                {
                    logger.LogError("Reading flow events failed: {Error}", e.Message);
                    Thread.Sleep(1000);
                }
            }
        }
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>Per record: decode and hand to the flow log; nothing allocated when there is none.</summary>
    private readonly struct Handler(FlowLogWriter? flowLog) : IRingBufferHandler
    {
        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (flowLog is not null && FlowEvent.TryRead(record, out var flowEvent))
                flowLog.Write(in flowEvent);
        }
    }
}
