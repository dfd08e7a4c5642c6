using Microseg.Agent.Flows;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Maps;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Events;

/// <summary>
/// Reads the flow-event ring on a thread of its own, so it never stays full (a full ring
/// loses events in the kernel, counted as ring-full). Counts what it delivers and hands each
/// event to the <see cref="FlowStore"/> (discovery graph, recent flows, flow log).
/// </summary>
public sealed class EventDrain(DatapathMaps maps, FlowStore flows, ILogger<EventDrain> logger) : IHostedService, IDisposable
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
        // Nothing is queued to be named any more: name what is, so its log lines are written.
        flows.StopAttribution();
        flows.Flush();
        return Task.CompletedTask;
    }

    private void Run(RingBufferReader reader)
    {
        using (reader)
        {
            var handler = new Handler(flows);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var count = reader.Poll(PollMilliseconds, ref handler);
                    if (count > 0)
                    {
                        Interlocked.Add(ref _delivered, count);
                        flows.Flush();
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

    /// <summary>Per record: read the kernel's struct and hand it to the store (a struct handler: no boxing).</summary>
    private readonly struct Handler(FlowStore flows) : IRingBufferHandler
    {
        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (FlowEvent.TryRead(record, out var flowEvent))
                flows.Add(in flowEvent);
        }
    }
}
