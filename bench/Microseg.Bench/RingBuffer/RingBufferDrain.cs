using System.Diagnostics;
using Microseg.Bpf;
using Microseg.Datapath.Abi;

namespace Microseg.Bench.RingBuffer;

/// <summary>
/// A full ring of flow-event records, written by a BPF producer, to be drained and timed.
/// The ring is pinned so the C reference consumer, a separate process, can open it too.
/// </summary>
internal sealed class RingBufferDrain : IDisposable
{
    private readonly BpfObject _producer;
    private readonly BpfProgram _produce;
    private readonly BpfMap<uint, ulong> _written;
    private readonly byte[] _frame = new byte[64];

    public RingBufferDrain(string objectDirectory, string pinDirectory)
    {
        _producer = BpfObject.Open(Path.Combine(objectDirectory, "ringbuf_producer.bpf.o"));
        _producer.Load();
        _produce = _producer.GetProgram("bench_produce");
        Ring = _producer.GetMap("bench_ring");
        _written = _producer.GetMap("bench_written").As<uint, ulong>();
        PinnedRingPath = Path.Combine(pinDirectory, "bench_ring");
        Ring.Pin(PinnedRingPath);
    }

    public BpfMap Ring { get; }

    public string PinnedRingPath { get; }

    /// <summary>Writes records until the ring is full; returns how many.</summary>
    public long Fill()
    {
        long before = Written(), last = before;
        while (true)
        {
            _produce.TestRun(_frame, Span<byte>.Empty);
            var now = Written();
            if (now == last)
                return now - before;
            last = now;
        }
    }

    /// <summary>Drains with Microseg's reader; returns records, elapsed time and bytes allocated.</summary>
    public (long Records, TimeSpan Elapsed, long AllocatedBytes, ulong Checksum) DrainWithReader()
    {
        // A fresh reader: the C consumer moved the shared consumer position meanwhile.
        using var reader = new RingBufferReader(Ring);
        var handler = new ChecksumHandler();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        while (reader.Drain(ref handler) > 0)
        {
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return (handler.Records, elapsed, allocated, handler.Checksum);
    }

    /// <summary>
    /// Drains with libbpf's ring_buffer__consume called from C#, each record through an
    /// [UnmanagedCallersOnly] callback doing the same work: the design the reader replaced.
    /// </summary>
    public unsafe (long Records, TimeSpan Elapsed, ulong Checksum) DrainWithLibbpfCallback()
    {
        var tally = new Tally();
        using var ring = new LibbpfRingBuffer(Ring, &OnRecord, &tally);
        var start = Stopwatch.GetTimestamp();
        while (ring.Consume() > 0)
        {
        }
        return (tally.Records, Stopwatch.GetElapsedTime(start), tally.Checksum);
    }

    private struct Tally
    {
        public long Records;
        public ulong Checksum;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static unsafe int OnRecord(void* context, void* data, nuint size)
    {
        if (!FlowEvent.TryRead(new ReadOnlySpan<byte>(data, (int)size), out var e))
            return -22; // -EINVAL: stops consumption
        var tally = (Tally*)context;
        tally->Records++;
        tally->Checksum += e.TimestampNs + e.Bytes;
        return 0;
    }

    /// <summary>Drains with libbpf's ring_buffer__consume in the C consumer.</summary>
    public (long Records, TimeSpan Elapsed, ulong Checksum) DrainWithLibbpf(string consumerPath)
    {
        using var process = Process.Start(new ProcessStartInfo(consumerPath, PinnedRingPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {consumerPath}");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000) || process.ExitCode != 0)
            throw new InvalidOperationException($"{consumerPath} failed: {error.Trim()}");
        var fields = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[0]), TimeSpan.FromTicks(long.Parse(fields[1]) / 100), ulong.Parse(fields[2]));
    }

    private long Written() => _written.TryLookup(0, out var value) ? (long)value : 0;

    public void Dispose()
    {
        BpfPin.Unpin(PinnedRingPath);
        _producer.Dispose();
    }

    /// <summary>What the C consumer does per record: read it as an event, fold in two fields.</summary>
    internal struct ChecksumHandler : IRingBufferHandler
    {
        public long Records;
        public ulong Checksum;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (!FlowEvent.TryRead(record, out var e))
                return;
            Records++;
            Checksum += e.TimestampNs + e.Bytes;
        }
    }
}
