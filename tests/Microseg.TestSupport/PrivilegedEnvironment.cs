using Microseg.Bpf;

namespace Microseg.TestSupport;

/// <summary>Decides, once per test run, whether privileged tests can run here.</summary>
public static class PrivilegedEnvironment
{
    private static readonly Lazy<string?> s_missing = new(Compute);

    /// <summary>True when the CI environment variable is "true": privileged tests never skip there.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when privileged tests should run; otherwise the skip reason.</summary>
    public static string? MissingRequirement => IsCi ? null : s_missing.Value;

    private static string? Compute()
    {
        if (Privileges.MissingForBpf() is { } capabilities)
            return capabilities + " Run the tests as root (CI=true makes this a failure instead).";
        if (!BpfFs.IsMounted() && !Privileges.IsRoot)
            return "bpffs is not mounted at /sys/fs/bpf and this process cannot mount it.";
        if (IpTool.Find() is null)
            return "The 'ip' command (iproute2) is not installed; install iproute2.";
        return null;
    }
}
