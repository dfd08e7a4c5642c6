using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace Microseg.Bench.HotPaths;

/// <summary>
/// <c>hotpaths</c>: BenchmarkDotNet with MemoryDiagnoser over the managed hot paths not covered
/// elsewhere (event decoding, map batch updates and lookups); writes mean time and bytes
/// allocated per item to artifacts/bench/hotpaths.json. Target: 0 bytes per event and per entry.
/// </summary>
internal static class HotPathsCommand
{
    public static int Run(string[] args, string? objectDirectory)
    {
        var output = args.Length == 3 && args[1] == "--out" ? args[2] : null;
        if (objectDirectory is null)
        {
            Console.Error.WriteLine("Microseg.Bench hotpaths: compiled eBPF objects not found: run `make bpf`");
            return 2;
        }
        MapBatchUpdateBenchmarks.ObjectDirectory = Path.GetFullPath(objectDirectory);
        var job = Job.ShortRun.WithToolchain(InProcessNoEmitToolchain.Instance);
        var config = ManualConfig.CreateEmpty().AddJob(job).AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddLogger(BenchmarkDotNet.Loggers.NullLogger.Instance).AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableLogFile);
        var rows = new List<Dictionary<string, object>>();
        Collect(BenchmarkRunner.Run<EventDecodingBenchmarks>(config), EventDecodingBenchmarks.RecordsPerOperation, "event", rows);
        Collect(BenchmarkRunner.Run<MapBatchUpdateBenchmarks>(config), MapBatchUpdateBenchmarks.EntriesPerBatch, "entry", rows);
        Console.WriteLine();
        Console.WriteLine("managed hot paths (BenchmarkDotNet, MemoryDiagnoser):");
        foreach (var row in rows)
            Console.WriteLine($"  {row["benchmark"],-28} {row["ns_per_item"],10:F1} ns/{row["item"]}   {row["allocated_bytes_per_item"],6} bytes/{row["item"]} allocated (target 0)");
        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, JsonSerializer.Serialize(new { benchmarks = rows }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
        }
        return 0;
    }

    private static void Collect(Summary summary, int itemsPerOperation, string item, List<Dictionary<string, object>> rows)
    {
        foreach (var report in summary.Reports)
        {
            var mean = report.ResultStatistics?.Mean ?? double.NaN;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
            rows.Add(new Dictionary<string, object>
            {
                ["benchmark"] = $"{report.BenchmarkCase.Descriptor.Type.Name}.{report.BenchmarkCase.Descriptor.WorkloadMethod.Name}",
                ["item"] = item,
                ["ns_per_item"] = Math.Round(mean / itemsPerOperation, 2),
                ["allocated_bytes_per_item"] = allocated < 0 ? -1 : Math.Round((double)allocated / itemsPerOperation, 4),
            });
        }
    }
}
