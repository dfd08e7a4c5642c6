using System.Diagnostics;

namespace Microseg.Bench.Sre;

/// <summary>
/// Runs the system tools the benchmark drives (ip, nft, iptables-restore, xdp-filter, bpftool,
/// gnuplot), each bounded by a timeout so a wedged tool cannot hang the run. Errors name the
/// command and carry its standard error.
/// </summary>
internal static class Shell
{
    /// <summary>Long enough for iptables-restore of 10,000 rules on a slow VM.</summary>
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs <paramref name="file"/>; throws unless it exits 0. Returns its standard output.</summary>
    public static string Run(string file, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        var (exitCode, output, error) = TryRun(file, arguments, standardInput, timeout);
        if (exitCode != 0)
            throw new InvalidOperationException($"`{Describe(file, arguments)}` exited with {exitCode}: {error.Trim()}");
        return output;
    }

    /// <summary>Runs <paramref name="file"/> and returns its exit code and output, whatever they are (-1 on timeout).</summary>
    public static (int ExitCode, string Output, string Error) TryRun(string file, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout ?? s_defaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, output.Result, $"timed out after {(timeout ?? s_defaultTimeout).TotalSeconds:0} s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Whether <paramref name="tool"/> is on PATH.</summary>
    public static bool Has(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static string Describe(string file, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Take(8).Prepend(file)) + (arguments.Count() > 8 ? " ..." : "");
}
