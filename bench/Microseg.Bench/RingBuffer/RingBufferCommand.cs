using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace Microseg.Bench.RingBuffer;

/// <summary>
/// <c>ringbuf</c>: Microseg's C# ring buffer reader against libbpf's ring_buffer__consume in a
/// C program, draining the same full ring of flow events, in alternating rounds of one run;
/// then BenchmarkDotNet's MemoryDiagnoser for the reader's allocations per event. Writes
/// {"csharp_events_per_s", "c_events_per_s", "ratio", "allocated_bytes_per_event"}.
/// </summary>
internal static class RingBufferCommand
{
    private const int Rounds = 7;

    public static int Run(string[] args, string? objectDirectory)
    {
        string? output = null;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--out" && i + 1 < args.Length)
                output = args[++i];
            else if (args[i] == "--objects" && i + 1 < args.Length)
                objectDirectory = args[++i];
            else
                return Fail($"unknown option '{args[i]}'");
        }
        if (objectDirectory is null || !File.Exists(Path.Combine(objectDirectory, "ringbuf_producer.bpf.o")))
            return Fail("ringbuf_producer.bpf.o not found: run `make bpf` (or pass --objects)");
        var consumer = Path.Combine(objectDirectory, "..", "bench-bin", "ringbuf_consumer");
        if (!File.Exists(consumer))
            return Fail($"{consumer} not found: run `make bench-ringbuf`, which builds it");

        var pins = Path.Combine("/sys/fs/bpf", $"microseg-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(pins);
        try
        {
            var (csharp, c, callback, allocatedInRounds, records) = MeasureRounds(objectDirectory, pins, consumer);
            var allocatedPerEvent = MeasureAllocations(objectDirectory, pins);
            var ratio = csharp / c;
            Console.WriteLine();
            Console.WriteLine($"ring buffer drain, {records} flow events a round, median of {Rounds} rounds each:");
            Console.WriteLine($"  C# RingBufferReader          {csharp,14:N0} events/s");
            Console.WriteLine($"  C libbpf ring_buffer__consume {c,13:N0} events/s");
            Console.WriteLine($"  C# via libbpf + callback     {callback,14:N0} events/s (the other design; the faster is kept)");
            Console.WriteLine($"  ratio {ratio:F2} (target >= 1.0) {(ratio >= 1.0 ? "ok" : "FAIL")}");
            Console.WriteLine($"  allocated: {allocatedPerEvent} bytes/event by MemoryDiagnoser, {allocatedInRounds} bytes in the timed drains (target 0)");
            if (output is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
                File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["csharp_events_per_s"] = Math.Round(csharp),
                    ["c_events_per_s"] = Math.Round(c),
                    ["csharp_libbpf_callback_events_per_s"] = Math.Round(callback),
                    ["ratio"] = Math.Round(ratio, 3),
                    ["allocated_bytes_per_event"] = allocatedPerEvent,
                    ["events_per_round"] = records,
                    ["rounds"] = Rounds,
                }, new JsonSerializerOptions { WriteIndented = true }));
                Console.WriteLine($"wrote {output}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(pins, recursive: true);
        }
    }

    // Alternating rounds, so machine noise lands on both readers alike.
    private static (double CSharp, double C, double Callback, long Allocated, long Records) MeasureRounds(string objects, string pins, string consumer)
    {
        using var drain = new RingBufferDrain(objects, pins);
        var csharp = new List<double>();
        var c = new List<double>();
        var callback = new List<double>();
        long allocated = 0, records = 0;
        for (var round = 0; round < Rounds + 1; round++)
        {
            records = drain.Fill();
            var (cRecords, cElapsed, cChecksum) = drain.DrainWithLibbpf(consumer);
            drain.Fill();
            var (sRecords, sElapsed, sAllocated, sChecksum) = drain.DrainWithReader();
            drain.Fill();
            var (bRecords, bElapsed, _) = drain.DrainWithLibbpfCallback();
            if (cRecords != records || sRecords != records || bRecords != records)
                throw new InvalidOperationException($"round {round}: filled {records}, C drained {cRecords}, C# drained {sRecords}, C# via libbpf {bRecords}");
            if (round == 0)
                continue; // warm-up: JIT, page faults of the freshly mapped ring
            c.Add(cRecords / cElapsed.TotalSeconds);
            csharp.Add(sRecords / sElapsed.TotalSeconds);
            callback.Add(bRecords / bElapsed.TotalSeconds);
            allocated += sAllocated;
            _ = cChecksum + sChecksum;
        }
        return (Median(csharp), Median(c), Median(callback), allocated, records);
    }

    private static double MeasureAllocations(string objects, string pins)
    {
        RingBufferDrainBenchmarks.ObjectDirectory = objects;
        RingBufferDrainBenchmarks.PinDirectory = Path.Combine(pins, "diagnoser");
        Directory.CreateDirectory(RingBufferDrainBenchmarks.PinDirectory);
        var job = Job.Dry.WithToolchain(InProcessNoEmitToolchain.Instance)
            .WithInvocationCount(1).WithUnrollFactor(1).WithIterationCount(5).WithWarmupCount(1);
        var config = ManualConfig.CreateEmpty().AddJob(job).AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddLogger(BenchmarkDotNet.Loggers.NullLogger.Instance).AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<RingBufferDrainBenchmarks>(config);
        var report = summary.Reports.Single();
        var perDrain = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return RingBufferDrainBenchmarks.RecordsPerDrain == 0 ? 0 : Math.Round((double)perDrain / RingBufferDrainBenchmarks.RecordsPerDrain, 4);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Microseg.Bench ringbuf: {message}");
        return 2;
    }
}
