using Microseg.TestSupport;

namespace Microseg.Agent.Tests.Metrics;

/// <summary>Finds Debian's prometheus package's programs (installed by <c>make deps</c>).</summary>
internal static class PrometheusTools
{
    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    /// <summary>The path of <paramref name="program"/>; fails with what to install when it is missing.</summary>
    public static string Require(string program) =>
        Find(program) ?? throw new InvalidOperationException(
            $"'{program}' is not on PATH: install Debian's prometheus package (make deps, or apt-get install prometheus).");

    /// <summary>Null when the test can run; otherwise why it is skipped. Never skips under CI=true.</summary>
    public static string? SkipReason(string program) =>
        PrivilegedEnvironment.IsCi || Find(program) is not null
            ? null
            : $"'{program}' is not installed: apt-get install prometheus (make deps does; under CI=true this test fails instead).";
}

/// <summary>A fact that needs a program from the prometheus package: skipped without it, except under CI=true.</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute(string program)
    {
        if (PrometheusTools.SkipReason(program) is { } reason)
            Skip = reason;
    }
}
