using System.Diagnostics;

namespace Microseg.TestSupport;

/// <summary>Runs iproute2's <c>ip</c> and checks its exit code.</summary>
public static class IpTool
{
    private static readonly string[] s_candidates = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    /// <summary>The path of the ip binary, or null if none is installed.</summary>
    public static string? Find() => s_candidates.FirstOrDefault(File.Exists);

    /// <summary>Runs <c>ip args...</c>; throws with stderr if it exits non-zero.</summary>
    public static string Run(params string[] arguments)
    {
        (int exitCode, string output, string error) = TryRun(arguments);
        if (exitCode != 0)
            throw new InvalidOperationException($"`ip {string.Join(' ', arguments)}` exited with {exitCode}: {error.Trim()}");
        return output;
    }

    /// <summary>Runs <c>ip args...</c> and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Output, string Error) TryRun(params string[] arguments)
    {
        string ip = Find() ?? throw new InvalidOperationException("The 'ip' command (iproute2) is not installed.");
        var start = new ProcessStartInfo(ip)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start ip.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
