using Microseg.Bench.Datapath;

namespace Microseg.Bench;

/// <summary>
/// Entry point. Sub-commands: <c>datapath</c>, the data plane's per-packet cost under
/// BPF_PROG_TEST_RUN (needs root and `make bpf`); <c>policy</c>, the policy pipeline;
/// <c>ringbuf</c>, the flow-event ring buffer drain against libbpf's C consumer; <c>sre</c>,
/// receive throughput beside nftables, iptables and xdp-filter on veth pairs (see Sre/). The managed hot paths' BenchmarkDotNet
/// suites will be further sub-commands.
/// </summary>
internal static class Program
{
    private const string Usage =
        """
        usage: Microseg.Bench datapath [--out FILE] [--objects DIR] [--entries 10,10000,1000000]
                                       [--rounds N] [--repeat N] [--flows-per-round N] [--cpu N] [--check]
          --out              write the JSON report there
          --objects          directory of the compiled eBPF objects (default: artifacts/bpf above here)
          --entries          identity and rule counts to measure at (the first is the scaling reference)
          --rounds           measured rounds per case (default 7)
          --repeat           kernel repetitions per run for established and denied (default 200000)
          --flows-per-round  new flows opened per round for new_flow (default 4000)
          --cpu              CPU to measure on (default: the last one allowed)
          --check            exit 1 when a target is missed
        """;

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "policy" or "policy-compile")
            return Policy.PolicyCommand.Run(args, FindObjectDirectory());
        if (args.Length > 0 && args[0] == "sre")
            return Sre.SreCommand.Run(args.AsSpan(1), FindObjectDirectory());
        if (args.Length > 0 && args[0] == "ringbuf")
            return RingBuffer.RingBufferCommand.Run(args, FindObjectDirectory());
        if (args.Length > 0 && args[0] == "agent")
            return Agent.AgentCommand.Run(args, FindObjectDirectory());
        if (args.Length > 0 && args[0] == "hotpaths")
            return HotPaths.HotPathsCommand.Run(args, FindObjectDirectory());
        if (args.Length == 0 || args[0] != "datapath")
            return Fail(args.Length == 0 ? "missing sub-command" : $"unknown sub-command '{args[0]}'");
        BenchSettings settings;
        try
        {
            settings = Parse(args.AsSpan(1));
        }
        catch (FormatException e)
        {
            return Fail(e.Message);
        }

        var objects = settings.ObjectDirectory ?? FindObjectDirectory();
        if (objects is null || !File.Exists(Path.Combine(objects, "bench_empty.bpf.o")))
            return Fail($"compiled eBPF objects not found{(objects is null ? "" : $" in {objects}")}: run `make bpf` (or pass --objects)");

        var results = new DatapathBenchmark(settings, Console.Out).Run(objects);
        var report = new DatapathReport(results);
        report.WriteTable(Console.Out);
        if (settings.OutputPath is { } output)
        {
            report.WriteJson(output);
            Console.WriteLine($"wrote {output}");
        }
        return settings.Check && !report.AllTargetsMet ? 1 : 0;
    }

    private static BenchSettings Parse(ReadOnlySpan<string> args) =>
        BenchOptions.Fold(args, new BenchSettings(), s => s with { Check = true }, (s, option, value) => option switch
        {
            "--out" => s with { OutputPath = value },
            "--objects" => s with { ObjectDirectory = value },
            "--entries" => s with { Entries = [.. value.Split(',').Select(v => PositiveInt(option, v))] },
            "--rounds" => s with { Rounds = PositiveInt(option, value) },
            "--repeat" => s with { Repeat = (uint)PositiveInt(option, value) },
            "--flows-per-round" => s with { FlowsPerRound = PositiveInt(option, value) },
            "--cpu" => s with { Cpu = int.TryParse(value, out var cpu) && cpu >= 0 ? cpu : throw new FormatException($"--cpu: '{value}' is not a CPU number") },
            _ => throw new FormatException($"unknown option '{option}'"),
        });

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, out var n) && n > 0 ? n : throw new FormatException($"{option}: '{value}' is not a positive number");

    /// <summary>artifacts/bpf of the first directory holding Microseg.sln, from here upwards.</summary>
    private static string? FindObjectDirectory()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Microseg.sln")))
                    return Path.Combine(d.FullName, "artifacts", "bpf");
            }
        }
        return null;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
