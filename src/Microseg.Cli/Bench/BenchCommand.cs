using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Microseg.Cli.Bench;

/// <summary>
/// <c>bench [--rules LIST] [--configs LIST] [--rounds N] [--window S] [--out-dir DIR] [--check]</c>:
/// the SRE benchmark — Microseg's receive throughput beside no filter, bare XDP, nftables,
/// iptables and xdp-filter, on veth pairs in namespaces it creates and removes, never the
/// host's own interfaces. It runs the benchmark program of a source checkout (built by
/// <c>make</c>), found above the current directory or this binary, or named by
/// MICROSEG_BENCH; its output streams through. Exit codes are the benchmark's (0, 1 when
/// --check and a target is missed, 2 when it could not run).
/// </summary>
internal static class BenchCommand
{
    /// <summary>The benchmark runs a few minutes; this only stops a wedged one.</summary>
    private static readonly TimeSpan s_limit = TimeSpan.FromHours(1);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var rules = new Option<string>("--rules") { Description = "Rule counts to measure at, comma-separated (default 1000,10000)." };
        var configs = new Option<string>("--configs") { Description = "Configurations, comma-separated (default: all)." };
        var rounds = new Option<int?>("--rounds") { Description = "Measured rounds per configuration, interleaved (default 5)." };
        var window = new Option<double?>("--window") { Description = "Seconds per measurement window (default 2)." };
        var outDir = new Option<string>("--out-dir") { Description = "Where summary.json and the PNG charts go (default: the checkout's artifacts/bench)." };
        var check = new Option<bool>("--check") { Description = "Exit 1 when a target is missed." };
        var bench = new Command(
            "bench",
            "Measure receive throughput against nftables, iptables and xdp-filter on veth pairs in new namespaces (needs root and a built source checkout).")
        {
            rules, configs, rounds, window, outDir, check,
        };
        bench.SetAction(parsed =>
        {
            var arguments = new List<string> { "sre" };
            Add("--rules", parsed.GetValue(rules));
            Add("--configs", parsed.GetValue(configs));
            Add("--rounds", parsed.GetValue(rounds)?.ToString(CultureInfo.InvariantCulture));
            Add("--window", parsed.GetValue(window)?.ToString(CultureInfo.InvariantCulture));
            Add("--out-dir", parsed.GetValue(outDir));
            if (parsed.GetValue(check))
                arguments.Add("--check");
            return Run(arguments, output, error);

            void Add(string option, string? value)
            {
                if (value is not null)
                    arguments.AddRange([option, value]);
            }
        });
        return bench;
    }

    private static int Run(List<string> arguments, TextWriter output, TextWriter error)
    {
        string? program = BenchLocator.Find();
        if (program is null)
        {
            error.WriteLine("microsegctl: the benchmark program was not found: run this from a source checkout after `make` (or set MICROSEG_BENCH to Microseg.Bench.dll).");
            return Program.Failure;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BenchLocator.CheckoutOf(program) ?? Environment.CurrentDirectory,
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
