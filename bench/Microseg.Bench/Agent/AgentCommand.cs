using System.Text.Json;

namespace Microseg.Bench.Agent;

/// <summary>
/// <c>agent --daemon PATH [--ready-to-run PATH] [--ctl PATH]</c>: microsegd's footprint (exec to
/// READY=1, idle resident memory, idle CPU) over fresh starts. With <c>--ready-to-run</c>, that
/// build of the same source runs in the same rounds, interleaved (the order alternates, so drift
/// in the machine's load falls on both), and the ratios are reported. With <c>--ctl</c>, the wall
/// time of <c>microsegctl policy check docs/examples/three-tier.yaml</c>.
/// Targets for the daemon as it ships (Native AOT, issue 11): ≤ 30 MB, ≤ 250 ms, ≤ 0.1 %; check ≤ 60 ms.
/// </summary>
internal static class AgentCommand
{
    private const double RssTargetMb = 30, ReadyTargetMs = 250, CpuTargetPercent = 0.1, CheckTargetMs = 60;

    public static int Run(string[] args, string? objectDirectory)
    {
        string? output = null, daemon = null, readyToRun = null, ctl = null;
        var rounds = 3;
        var policy = Path.GetFullPath("docs/examples/monitor-first.yaml");
        var checkedPolicy = Path.GetFullPath("docs/examples/three-tier.yaml");
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                case "--daemon" when i + 1 < args.Length: daemon = Path.GetFullPath(args[++i]); break;
                case "--ready-to-run" when i + 1 < args.Length: readyToRun = Path.GetFullPath(args[++i]); break;
                case "--ctl" when i + 1 < args.Length: ctl = Path.GetFullPath(args[++i]); break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out rounds) && rounds > 0: i++; break;
                case "--objects" when i + 1 < args.Length: objectDirectory = args[++i]; break;
                case "--policy" when i + 1 < args.Length: policy = Path.GetFullPath(args[++i]); break;
                default: return Fail($"unknown option '{args[i]}'");
            }
        }
        if (daemon is null || !File.Exists(daemon))
            return Fail("--daemon PATH: the microsegd to measure (make bench-agent names the native one)");
        if (readyToRun is not null && !File.Exists(readyToRun))
            return Fail($"--ready-to-run {readyToRun}: no such file (make bench-agent publishes one)");
        if (ctl is not null && !File.Exists(ctl))
            return Fail($"--ctl {ctl}: no such file (make native publishes it)");
        if (objectDirectory is null)
            return Fail("compiled eBPF objects not found: run `make bpf` (or pass --objects)");

        var objects = Path.GetFullPath(objectDirectory);
        var shipped = new AgentFootprint(daemon, objects, policy);
        var baseline = readyToRun is null ? null : new AgentFootprint(readyToRun, objects, policy);
        var shippedRounds = new List<AgentFootprint.Round>();
        var baselineRounds = new List<AgentFootprint.Round>();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which build starts first, so a trend in the machine's load is shared.
            if (baseline is not null && round % 2 == 1)
                baselineRounds.Add(baseline.Measure(2 * round));
            shippedRounds.Add(shipped.Measure(2 * round + 1));
            if (baseline is not null && round % 2 == 0)
                baselineRounds.Add(baseline.Measure(2 * round));
        }

        var native = FootprintSummary.Of(shippedRounds);
        var r2r = baselineRounds.Count > 0 ? FootprintSummary.Of(baselineRounds) : null;
        Console.WriteLine($"microsegd footprint, {rounds} fresh start(s) each, medians (min-max):");
        Console.WriteLine($"  shipped:      {daemon}");
        if (r2r is not null)
            Console.WriteLine($"  ReadyToRun:   {readyToRun}");
        Console.WriteLine($"  {"",-26}{"shipped",20}{(r2r is null ? "" : $"{"ReadyToRun",20}{"ratio",8}")}   target (shipped)");
        Line("exec to READY=1 (ms)", native.Ready, r2r?.Ready, ReadyTargetMs, "F0");
        Line("resident memory, idle (MB)", native.RssMb, r2r?.RssMb, RssTargetMb, "F1");
        Line("CPU, idle (%)", native.CpuPercent, r2r?.CpuPercent, CpuTargetPercent, "F3");

        PolicyCheckTiming? check = null;
        if (ctl is not null)
        {
            check = PolicyCheckTiming.Measure(ctl, checkedPolicy);
            Console.WriteLine($"microsegctl policy check {Path.GetFileName(checkedPolicy)}, {check.Runs} runs: " +
                $"median {check.MedianMs:F1} ms (min {check.MinMs:F1}, max {check.MaxMs:F1})   target <= {CheckTargetMs}  {Verdict(check.MedianMs, CheckTargetMs)}");
        }

        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            var document = new Dictionary<string, object?>
            {
                // The shipped daemon's figures at the top level, as before issue 11.
                ["rss_idle_mb"] = Math.Round(native.RssMb.Median, 1),
                ["cpu_idle_percent"] = Math.Round(native.CpuPercent.Median, 3),
                ["ready_ms"] = Math.Round(native.Ready.Median),
                ["ready_ms_min"] = Math.Round(native.Ready.Min),
                ["ready_ms_max"] = Math.Round(native.Ready.Max),
                ["rounds"] = rounds,
                ["shipped"] = native.ToJson(daemon),
                ["ready_to_run"] = r2r?.ToJson(readyToRun!),
                ["policy_check_ms"] = check?.MedianMs is { } ms ? Math.Round(ms, 1) : null,
                ["policy_check_ms_max"] = check?.MaxMs is { } max ? Math.Round(max, 1) : null,
            };
            File.WriteAllText(output, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
        }
        return 0;
    }

    private static void Line(string what, FootprintSummary.Spread shipped, FootprintSummary.Spread? r2r, double target, string format)
    {
        var ratio = r2r is { Median: > 0 } b ? $"{shipped.Median / b.Median,8:F2}" : "";
        var baseline = r2r is null ? "" : $"{r2r.Format(format),20}{ratio}";
        Console.WriteLine($"  {what,-26}{shipped.Format(format),20}{baseline}   <= {target}  {Verdict(shipped.Median, target)}");
    }

    private static string Verdict(double value, double target) => value <= target ? "ok" : $"MISSED by {value - target:0.###}";

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Microseg.Bench agent: {message}");
        return 2;
    }
}
