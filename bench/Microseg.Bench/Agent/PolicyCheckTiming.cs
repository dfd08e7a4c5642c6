using System.Diagnostics;

namespace Microseg.Bench.Agent;

/// <summary>
/// Wall time of <c>microsegctl policy check FILE</c> as a person meets it: process start to exit,
/// after one unmeasured run that brings the executable into the page cache.
/// </summary>
internal sealed record PolicyCheckTiming(int Runs, double MedianMs, double MinMs, double MaxMs)
{
    private const int MeasuredRuns = 21;

    public static PolicyCheckTiming Measure(string ctl, string policy)
    {
        RunOnce(ctl, policy);
        var times = Enumerable.Range(0, MeasuredRuns).Select(_ => RunOnce(ctl, policy)).Order().ToList();
        return new PolicyCheckTiming(MeasuredRuns, times[MeasuredRuns / 2], times[0], times[^1]);
    }

    private static double RunOnce(string ctl, string policy)
    {
        var start = new ProcessStartInfo(ctl) { ArgumentList = { "policy", "check", policy }, RedirectStandardOutput = true, RedirectStandardError = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ctl}");
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{ctl} policy check {policy} exited {process.ExitCode}: {error.Result.Trim()}");
        return elapsed;
    }
}
