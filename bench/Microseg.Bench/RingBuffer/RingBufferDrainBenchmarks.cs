using BenchmarkDotNet.Attributes;
using Microseg.Bpf;

namespace Microseg.Bench.RingBuffer;

/// <summary>
/// BenchmarkDotNet's view of one drain of a full ring by Microseg's reader, for its
/// MemoryDiagnoser: bytes allocated per drain, divided by the records drained, is the
/// reader's allocation per event. One reader serves every iteration, as in the daemon.
/// </summary>
[MemoryDiagnoser]
public class RingBufferDrainBenchmarks
{
    /// <summary>Set by the command before BenchmarkDotNet runs in-process.</summary>
    internal static string ObjectDirectory = "";
    internal static string PinDirectory = "";
    internal static long RecordsPerDrain;

    private RingBufferDrain? _drain;
    private RingBufferReader? _reader;

    [GlobalSetup]
    public void Setup()
    {
        _drain = new RingBufferDrain(ObjectDirectory, PinDirectory);
        _reader = new RingBufferReader(_drain.Ring);
    }

    [IterationSetup]
    public void Fill() => RecordsPerDrain = Math.Max(RecordsPerDrain, _drain!.Fill());

    [Benchmark]
    public long DrainFullRing()
    {
        var handler = new RingBufferDrain.ChecksumHandler();
        while (_reader!.Drain(ref handler) > 0)
        {
        }
        return handler.Records;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader?.Dispose();
        _drain?.Dispose();
    }
}
