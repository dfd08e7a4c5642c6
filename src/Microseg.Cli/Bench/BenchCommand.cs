using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Microseg.Cli.Bench;

/// <summary>
/// <c>bench [--parts LIST] [--rules LIST] [--configs LIST] [--rounds N] [--window S]
/// [--daemon PATH] [--out-dir DIR] [--check]</c>: the SRE benchmark, every part in one run, in
/// this order: per-packet cost under BPF_PROG_TEST_RUN from 10 to 1,000,000 entries
/// (<c>datapath</c>), the ring buffer drain beside libbpf's (<c>ringbuf</c>), policy load and
/// apply latency (<c>policy</c>), the daemon's footprint (<c>agent</c>), and receive
/// throughput beside no filter, bare XDP, nftables, iptables and xdp-filter (<c>sre</c>, which
/// charts the datapath part too). Everything runs on veth pairs and namespaces it creates and
/// removes, never the host's own interfaces. It runs the benchmark program of a source
/// checkout (built by <c>make</c>), found above the current directory or this binary, or
/// named by MICROSEG_BENCH; its output streams through. A part that cannot run here (no
/// published daemon, no reference ring buffer consumer) is skipped with the reason, and the
/// others still run. Exit codes: 0; 1 when --check and a target is missed; 2 when a part
/// could not run.
/// </summary>
internal static class BenchCommand
{
    /// <summary>The whole benchmark runs ~15 minutes; this only stops a wedged part.</summary>
    private static readonly TimeSpan s_limit = TimeSpan.FromHours(1);

    /// <summary>The parts, in the order they run: sre last, as it charts datapath's results.</summary>
    public static readonly string[] Parts = ["datapath", "ringbuf", "policy", "agent", "sre"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var parts = new Option<string>("--parts") { Description = $"Parts to run, comma-separated (default: all — {string.Join(',', Parts)})." };
        var rules = new Option<string>("--rules") { Description = "sre: rule counts to measure at, comma-separated (default 1000,10000)." };
        var configs = new Option<string>("--configs") { Description = "sre: configurations, comma-separated (default: all)." };
        var rounds = new Option<int?>("--rounds") { Description = "sre: measured rounds per configuration, interleaved (default 5)." };
        var window = new Option<double?>("--window") { Description = "sre: seconds per measurement window (default 2)." };
        var daemon = new Option<string>("--daemon") { Description = "agent: the microsegd to measure (default: the checkout's native one, artifacts/native/microsegd, beside the ReadyToRun build `make bench-agent` publishes)." };
        var outDir = new Option<string>("--out-dir") { Description = "Where the JSON results and the PNG charts go (default: the checkout's artifacts/bench)." };
        var check = new Option<bool>("--check") { Description = "Exit 1 when a target is missed." };
        var bench = new Command(
            "bench",
            "Measure per-packet cost, the event drain, policy apply, the daemon's footprint and receive throughput against nftables, iptables and xdp-filter, on veth pairs in new namespaces (needs root and a built source checkout).")
        {
            parts, rules, configs, rounds, window, daemon, outDir, check,
        };
        bench.SetAction(parsed =>
        {
            var chosen = (parsed.GetValue(parts) ?? string.Join(',', Parts)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (chosen.FirstOrDefault(p => !Parts.Contains(p)) is { } unknown)
            {
                error.WriteLine($"microsegctl: --parts: unknown part '{unknown}' (parts: {string.Join(", ", Parts)})");
                return Program.Failure;
            }
            string? program = BenchLocator.Find();
            if (program is null)
            {
                error.WriteLine("microsegctl: the benchmark program was not found: run this from a source checkout after `make` (or set MICROSEG_BENCH to Microseg.Bench.dll).");
                return Program.Failure;
            }
            var checkout = BenchLocator.CheckoutOf(program) ?? Environment.CurrentDirectory;
            var directory = Path.GetFullPath(parsed.GetValue(outDir) ?? Path.Combine(checkout, "artifacts", "bench"));
            Directory.CreateDirectory(directory);
            var plan = Plan(Parts.Where(chosen.Contains), directory, checkout, parsed.GetValue(daemon), parsed.GetValue(check), sre =>
            {
                Add(sre, "--rules", parsed.GetValue(rules));
                Add(sre, "--configs", parsed.GetValue(configs));
                Add(sre, "--rounds", parsed.GetValue(rounds)?.ToString(CultureInfo.InvariantCulture));
                Add(sre, "--window", parsed.GetValue(window)?.ToString(CultureInfo.InvariantCulture));
            });

            int worst = 0;
            foreach (var step in plan)
            {
                output.WriteLine($"== {step.Part}");
                if (step.SkippedBecause is { } reason)
                {
                    output.WriteLine($"skipped: {reason}");
                    worst = Math.Max(worst, Program.Failure);
                    continue;
                }
                worst = Math.Max(worst, Run(program, checkout, step.Arguments, output, error));
            }
            output.WriteLine($"results in {directory}");
            return worst;

            static void Add(List<string> arguments, string option, string? value)
            {
                if (value is not null)
                    arguments.AddRange([option, value]);
            }
        });
        return bench;
    }

    /// <summary>One part to run: the benchmark program's arguments, or why it cannot run here.</summary>
    internal sealed record Step(string Part, List<string> Arguments, string? SkippedBecause = null);

    /// <summary>What each part runs with, its results going to <paramref name="directory"/>.</summary>
    internal static List<Step> Plan(IEnumerable<string> parts, string directory, string checkout, string? daemon, bool check, Action<List<string>> sreOptions)
    {
        var steps = new List<Step>();
        foreach (var part in parts)
        {
            var arguments = new List<string> { part };
            string? skipped = null;
            switch (part)
            {
                case "sre":
                    arguments.AddRange(["--out-dir", directory]);
                    sreOptions(arguments);
                    break;
                case "agent":
                    // The shipped (Native AOT) daemon, measured beside the ReadyToRun build of the same
                    // source when `make bench-agent` has published one, as that target does.
                    var daemonPath = daemon ?? Path.Combine(checkout, "artifacts", "native", "microsegd");
                    if (!File.Exists(daemonPath))
                        skipped = $"no microsegd at {daemonPath}: `make` builds one, or name one with --daemon PATH";
                    arguments.AddRange(["--daemon", daemonPath]);
                    var readyToRun = Path.Combine(checkout, "artifacts", "publish", "agent", "microsegd");
                    if (daemon is null && File.Exists(readyToRun))
                        arguments.AddRange(["--ready-to-run", readyToRun]);
                    var nativeCtl = Path.Combine(checkout, "artifacts", "native", "microsegctl");
                    if (File.Exists(nativeCtl))
                        arguments.AddRange(["--ctl", nativeCtl]);
                    arguments.AddRange(["--out", Path.Combine(directory, "agent.json")]);
                    break;
                case "ringbuf":
                    var consumer = Path.Combine(checkout, "artifacts", "bench-bin", "ringbuf_consumer");
                    if (!File.Exists(consumer))
                        skipped = $"no reference consumer at {consumer}: `make bench-ringbuf` builds it (gcc, libbpf-dev)";
                    arguments.AddRange(["--out", Path.Combine(directory, "ringbuf.json")]);
                    break;
                default:
                    arguments.AddRange(["--out", Path.Combine(directory, part + ".json")]);
                    break;
            }
            if (check && part is "datapath" or "sre")
                arguments.Add("--check");
            steps.Add(new Step(part, arguments, skipped));
        }
        return steps;
    }

    private static int Run(string program, string checkout, List<string> arguments, TextWriter output, TextWriter error)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = checkout,
        };
        start.ArgumentList.Add(program);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(s_limit))
        {
            process.Kill(entireProcessTree: true);
            error.WriteLine($"microsegctl: the benchmark did not finish within {s_limit.TotalMinutes:0} minutes and was stopped.");
            return Program.Failure;
        }

        process.WaitForExit();
        return process.ExitCode;
    }
}
