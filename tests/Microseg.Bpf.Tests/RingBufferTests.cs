using System.Diagnostics;
using System.Runtime.InteropServices;
using Microseg.TestSupport;
using Xunit;

namespace Microseg.Bpf.Tests;

public sealed class RingBufferTests : IDisposable
{
    /// <summary>One 64-byte interop_event plus the 8-byte ring header.</summary>
    private const int RecordFootprint = 72;

    private readonly BpfPinDirectory _pins = new();
    private BpfObject? _bpf;

    public void Dispose()
    {
        _bpf?.Dispose();
        _pins.Dispose();
    }

    /// <summary>Checks each record continues the sequence; allocation-free so it can be measured.</summary>
    private struct SequenceChecker : IRingBufferHandler
    {
        public ulong NextSequence;
        public int Records;
        public int OutOfOrder;
        public int WrongLength;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (record.Length != 64)
            {
                WrongLength++;
                return;
            }
            InteropEvent e = MemoryMarshal.Read<InteropEvent>(record);
            if (e.Sequence != NextSequence)
                OutOfOrder++;
            NextSequence = e.Sequence + 1;
            Records++;
        }
    }

    /// <summary>Records (run, index) pairs for exact-content checks.</summary>
    private struct Collector : IRingBufferHandler
    {
        public List<(ulong Sequence, uint Run, uint Index)> Seen;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            InteropEvent e = MemoryMarshal.Read<InteropEvent>(record);
            Seen.Add((e.Sequence, e.Run, e.Index));
        }
    }

    private BpfProgram LoadProducer(uint recordsPerRun, uint discardEvery = 0)
    {
        _bpf = BpfObject.Open(Fixtures.ObjectPath, new BpfObjectOpenOptions { PinRootPath = _pins.Path });
        _bpf.SetReadOnlyGlobal("ring_records_per_run", recordsPerRun);
        _bpf.SetReadOnlyGlobal("ring_discard_every", discardEvery);
        _bpf.Load();
        return _bpf.GetProgram("xdp_ring_producer");
    }

    private static void Produce(BpfProgram producer, uint runs)
        => Assert.Equal(1u, producer.TestRun(Fixtures.Frame(), Span<byte>.Empty, runs).ReturnValue); // XDP_DROP

    [PrivilegedFact]
    public void Records_arrive_exactly_once_and_in_order()
    {
        BpfProgram producer = LoadProducer(recordsPerRun: 5);
        using var reader = new RingBufferReader(_bpf!.GetMap("interop_ring"));
        Assert.Equal(0, reader.AvailableBytes);
        Produce(producer, runs: 10);
        Assert.Equal(50 * RecordFootprint, reader.AvailableBytes);

        var collector = new Collector { Seen = [] };
        Assert.Equal(50, reader.Poll(1000, ref collector));
        var expected = Enumerable.Range(0, 50).Select(i => ((ulong)i, (uint)(i / 5), (uint)(i % 5))).ToList();
        Assert.Equal(expected, collector.Seen);
        Assert.Equal(0, reader.AvailableBytes);
        Assert.Equal(50, reader.RecordsConsumed);
        Assert.Equal(0, reader.Drain(ref collector));
    }

    [PrivilegedFact]
    public void Discarded_records_are_skipped_and_counted()
    {
        BpfProgram producer = LoadProducer(recordsPerRun: 10, discardEvery: 5);
        using var reader = new RingBufferReader(_bpf!.GetMap("interop_ring"));
        Produce(producer, runs: 3);
        var checker = new SequenceChecker();
        Assert.Equal(24, reader.Drain(ref checker));
        Assert.Equal(0, checker.OutOfOrder);
        Assert.Equal(6, reader.DiscardedRecords);
        Assert.Equal(0, reader.AvailableBytes);
    }

    [PrivilegedFact]
    public void Wraps_around_the_ring_many_times_without_losing_order()
    {
        BpfProgram producer = LoadProducer(recordsPerRun: 100);
        BpfMap ring = _bpf!.GetMap("interop_ring");
        Assert.Equal(256u * 1024, ring.MaxEntries);
        using var reader = new RingBufferReader(ring);
        var checker = new SequenceChecker();
        // 23 runs of 100 records = 165,600 bytes per round: odd sizes so records straddle the end.
        for (int round = 0; round < 20; round++)
        {
            Produce(producer, runs: 23);
            Assert.Equal(2300, reader.Drain(ref checker));
        }
        Assert.Equal(46_000, checker.Records);
        Assert.Equal(0, checker.OutOfOrder);
        Assert.Equal(0, checker.WrongLength);
        Assert.True(46_000L * RecordFootprint > 10 * ring.MaxEntries);
    }

    [PrivilegedFact]
    public void Draining_allocates_nothing_per_record()
    {
        BpfProgram producer = LoadProducer(recordsPerRun: 100);
        using var reader = new RingBufferReader(_bpf!.GetMap("interop_ring"));
        var checker = new SequenceChecker();
        Produce(producer, runs: 30); // warm-up: JIT, first-call stubs
        reader.Drain(ref checker);

        // Only the drains are measured: 4 windows of 3,000 records (the ring holds ~3,600).
        long allocated = Allocations.FewestInAnyWindow(() => reader.Drain(ref checker), windows: 4,
            prepare: () => Produce(producer, runs: 30));
        Assert.Equal(15_000, checker.Records);
        Assert.Equal(0, checker.OutOfOrder);
        Assert.Equal(0, allocated);
    }

    [PrivilegedFact]
    public void Poll_waits_for_a_producer_and_times_out_when_idle()
    {
        BpfProgram producer = LoadProducer(recordsPerRun: 3);
        using var reader = new RingBufferReader(_bpf!.GetMap("interop_ring"));
        var checker = new SequenceChecker();

        var idle = Stopwatch.StartNew();
        Assert.Equal(0, reader.Poll(100, ref checker));
        Assert.InRange(idle.ElapsedMilliseconds, 80, 5000);

        using var produced = Task.Run(async () =>
        {
            await Task.Delay(100);
            Produce(producer, runs: 1);
        });
        var woken = Stopwatch.StartNew();
        Assert.Equal(3, reader.Poll(10_000, ref checker));
        Assert.True(woken.ElapsedMilliseconds < 5000);
        produced.Wait();
        Assert.False(reader.EpollHandle.IsInvalid);
        Assert.False(reader.Wait(0));
    }

    [PrivilegedFact]
    public void A_non_ring_map_is_refused_by_name()
    {
        LoadProducer(recordsPerRun: 1);
        var error = Assert.Throws<ArgumentException>(() => new RingBufferReader(_bpf!.GetMap("interop_hash")));
        Assert.Contains("interop_hash", error.Message);
    }
}
