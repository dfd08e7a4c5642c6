using System.Text.Json;

namespace Microseg.Bench.Agent;

/// <summary>
/// <c>agent --daemon PATH</c>: microsegd's footprint (ready time, idle memory, idle CPU) over a
/// few fresh starts; writes {"rss_idle_mb", "cpu_idle_percent", "ready_ms"}.
/// Targets: ≤ 80 MB, ≤ 0.5 %, ≤ 1500 ms.
/// </summary>
internal static class AgentCommand
{
    private const int Rounds = 3;

    public static int Run(string[] args, string? objectDirectory)
    {
        string? output = null, daemon = null;
        var policy = Path.GetFullPath("docs/examples/monitor-first.yaml");
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                case "--daemon" when i + 1 < args.Length: daemon = Path.GetFullPath(args[++i]); break;
                case "--objects" when i + 1 < args.Length: objectDirectory = args[++i]; break;
                case "--policy" when i + 1 < args.Length: policy = Path.GetFullPath(args[++i]); break;
                default: return Fail($"unknown option '{args[i]}'");
            }
        }
        if (daemon is null || !File.Exists(daemon))
            return Fail("--daemon PATH: the published microsegd to measure (make bench-agent publishes one)");
        if (objectDirectory is null)
            return Fail("compiled eBPF objects not found: run `make bpf` (or pass --objects)");

        var footprint = new AgentFootprint(daemon, Path.GetFullPath(objectDirectory), policy);
        var rounds = Enumerable.Range(0, Rounds).Select(footprint.Measure).ToList();
        var ready = rounds.Select(r => r.ReadyMs).Order().ToList();
        var last = rounds[^1];
        Console.WriteLine($"microsegd footprint, {Rounds} fresh starts ({daemon}):");
        Console.WriteLine($"  ready (exec to READY=1)  {ready[Rounds / 2],8:F0} ms   ({ready[0]:F0}-{ready[^1]:F0})   target <= 1500  {(ready[Rounds / 2] <= 1500 ? "ok" : "FAIL")}");
        Console.WriteLine($"  resident memory, idle    {last.RssMb,8:F1} MB                target <= 80    {(last.RssMb <= 80 ? "ok" : "FAIL")}");
        Console.WriteLine($"  CPU, idle                {last.CpuPercent,8:F2} %                 target <= 0.5   {(last.CpuPercent <= 0.5 ? "ok" : "FAIL")}");
        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["rss_idle_mb"] = Math.Round(last.RssMb, 1),
                ["cpu_idle_percent"] = Math.Round(last.CpuPercent, 3),
                ["ready_ms"] = Math.Round(ready[Rounds / 2]),
                ["ready_ms_min"] = Math.Round(ready[0]),
                ["ready_ms_max"] = Math.Round(ready[^1]),
                ["rounds"] = Rounds,
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
        }
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Microseg.Bench agent: {message}");
        return 2;
    }
}
