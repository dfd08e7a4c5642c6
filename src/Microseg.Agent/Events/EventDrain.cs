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
    // Completed by the event thread once it has flushed the store for the last time.
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <summary>
    /// Stops the event thread and waits until it has handled every event it read and flushed
    /// the store. The final flush is the thread's own last step, never this method's: a flush
    /// from here could run while the thread still adds events, which would then be lost.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        if (_thread is null)
        {
            FinishStore();
            return;
        }
        try
        {
            await _finished.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The flow-event thread had not stopped when shutdown ran out of time; events it still holds may not reach the flow log.");
        }
    }

    private void Run(RingBufferReader reader)
    {
        try
        {
            using (reader)
                Drain(reader);
            FinishStore();
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    private void Drain(RingBufferReader reader)
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

    /// <summary>After the last event: names what is still queued, so its log lines are written, and flushes.</summary>
    private void FinishStore()
    {
        flows.StopAttribution();
        flows.Flush();
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
