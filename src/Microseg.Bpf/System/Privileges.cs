using System.Globalization;

namespace Microseg.Bpf;

/// <summary>What the process may do: root, and the capabilities BPF loading and attaching need.</summary>
public static class Privileges
{
    /// <summary>CAP_NET_ADMIN: attach XDP/TC, netlink changes.</summary>
    public const int CapNetAdmin = 12;
    /// <summary>CAP_SYS_ADMIN: implies CAP_BPF and CAP_PERFMON for BPF purposes.</summary>
    public const int CapSysAdmin = 21;
    /// <summary>CAP_PERFMON: programs that may leak pointers, some helpers.</summary>
    public const int CapPerfmon = 38;
    /// <summary>CAP_BPF: create maps, load programs.</summary>
    public const int CapBpf = 39;

    /// <summary>True when the effective uid is 0.</summary>
    public static bool IsRoot => (uint)Tmds.Linux.LibC.geteuid() == 0;

    /// <summary>Whether capability number <paramref name="cap"/> is in the effective set (CapEff in /proc/self/status).</summary>
    public static bool HasCapability(int cap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cap, 63);
        return (EffectiveCapabilities() & (1UL << cap)) != 0;
    }

    /// <summary>
    /// Null when this process can load BPF programs and attach them to devices; otherwise a
    /// sentence naming exactly what is missing.
    /// </summary>
    public static string? MissingForBpf()
    {
        ulong caps = EffectiveCapabilities();
        bool Has(int cap) => (caps & (1UL << cap)) != 0;
        var missing = new List<string>();
        if (!Has(CapBpf) && !Has(CapSysAdmin))
            missing.Add("CAP_BPF");
        if (!Has(CapNetAdmin))
            missing.Add("CAP_NET_ADMIN");
        if (!Has(CapPerfmon) && !Has(CapSysAdmin))
            missing.Add("CAP_PERFMON");
        if (missing.Count == 0)
            return null;
        return $"Loading and attaching BPF programs needs root or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON; this process (uid {(uint)Tmds.Linux.LibC.geteuid()}) lacks {string.Join(", ", missing)}.";
    }

    private static ulong EffectiveCapabilities()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
