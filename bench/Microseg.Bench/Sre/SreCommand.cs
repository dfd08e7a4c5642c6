using System.Globalization;

namespace Microseg.Bench.Sre;

/// <summary>
/// <c>sre</c>: receive throughput of Microseg beside no filter, bare XDP, nftables, iptables
/// and xdp-filter, on veth pairs in namespaces it creates and removes; writes the table,
/// summary.json and the charts. Needs root, `make bpf`, and the tools `make deps` installs.
/// </summary>
internal static class SreCommand
{
    public const string Usage =
        """
        usage: Microseg.Bench sre [--out-dir DIR] [--rules 1000,10000] [--configs a,b,...] [--rounds N]
                                  [--window SECONDS] [--generator-cpu N] [--receiver-cpu N] [--datapath-json FILE]
                                  [--objects DIR] [--check]
          --out-dir        where summary.json and the PNG charts go (default: artifacts/bench)
          --rules          rule counts (default 1000,10000)
          --configs        configurations (default: all of no_filter, xdp_pass, xdp_drop, microseg_allow,
                           microseg_deny_flood, nft_set, nft_linear, iptables, xdp_filter)
          --rounds         measured rounds per configuration, interleaved (default 5)
          --window         seconds per measurement window (default 2)
          --generator-cpu  CPU of the packet generator (default: the last allowed)
          --receiver-cpu   run the receiver's NAPI threaded on this CPU (default: in softirq on the generator's CPU)
          --datapath-json  the per-packet benchmark's report, charted beside (default: OUT-DIR/datapath.json)
          --check          exit 1 when a target is missed
        """;

    public static int Run(ReadOnlySpan<string> args, string? defaultObjects)
    {
        SreSettings settings;
        try
        {
            settings = Parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var objects = settings.ObjectDirectory ?? defaultObjects;
        if (objects is null || !File.Exists(Path.Combine(objects, "trafficgen.bpf.o")))
        {
            Console.Error.WriteLine($"error: trafficgen.bpf.o not found{(objects is null ? "" : $" in {objects}")}: run `make bpf` (or pass --objects)");
            return 2;
        }
        if (!Microseg.Bpf.Privileges.IsRoot)
        {
            Console.Error.WriteLine("error: the SRE benchmark creates network namespaces and attaches programs: run it as root");
            return 2;
        }
        var outDir = settings.OutputDirectory ?? Path.Combine(Path.GetDirectoryName(objects)!, "bench");
        var benchmark = new SreBenchmark(settings, objects, Console.Out);
        List<Throughput> results;
        try
        {
            results = benchmark.Run();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("stopped: what the run made is removed; no results written");
            return 130;
        }
        var report = new SreReport(results, benchmark.Notes, settings);
        report.WriteTable(Console.Out);
        var summary = Path.Combine(outDir, "summary.json");
        report.WriteJson(summary);
        Console.WriteLine($"wrote {summary}");
        Console.WriteLine(SreCharts.Write(results, outDir, settings.DatapathJson ?? Path.Combine(outDir, "datapath.json")));
        return settings.Check && !report.AllTargetsMet ? 1 : 0;
    }

    private static SreSettings Parse(ReadOnlySpan<string> args) =>
        BenchOptions.Fold(args, new SreSettings(), s => s with { Check = true }, (s, option, value) => option switch
        {
            "--out-dir" => s with { OutputDirectory = value },
            "--rules" => s with { RuleCounts = [.. value.Split(',').Select(v => Positive(option, v))] },
            "--configs" => s with { Configurations = Configurations(value) },
            "--rounds" => s with { Rounds = Positive(option, value) },
            "--window" => s with { Window = TimeSpan.FromSeconds(double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w > 0 ? w : throw new FormatException($"--window: '{value}' is not a positive number of seconds")) },
            "--generator-cpu" => s with { GeneratorCpu = Cpu(option, value) },
            "--receiver-cpu" => s with { ReceiverCpu = Cpu(option, value) },
            "--datapath-json" => s with { DatapathJson = value },
            "--objects" => s with { ObjectDirectory = value },
            _ => throw new FormatException($"unknown option '{option}'"),
        });

    private static string[] Configurations(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!SreSettings.AllConfigurations.Contains(name))
                throw new FormatException($"--configs: unknown configuration '{name}' (known: {string.Join(", ", SreSettings.AllConfigurations)})");
        }
        return names;
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, out var n) && n > 0 ? n : throw new FormatException($"{option}: '{value}' is not a positive number");

    private static int Cpu(string option, string value) =>
        int.TryParse(value, out var n) && n >= 0 && n < Environment.ProcessorCount ? n : throw new FormatException($"{option}: '{value}' is not a CPU of this machine");
}
