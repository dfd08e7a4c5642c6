using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Microseg.Datapath.Loading;

/// <summary>
/// The kernel's HZ, which the programs need to run their clock on jiffies (an inlined load)
/// rather than the coarse nanosecond clock (a helper call). Read from the kernel's build
/// configuration, as libbpf reads Kconfig: /proc/config.gz, then /boot/config-RELEASE.
/// </summary>
public static partial class KernelClock
{
    /// <summary>HZ, or null when no configuration file says (the programs then use nanoseconds).</summary>
    public static uint? DetectHz()
    {
        try
        {
            if (File.Exists("/proc/config.gz"))
            {
                using var gz = new GZipStream(File.OpenRead("/proc/config.gz"), CompressionMode.Decompress);
                if (FindHz(new StreamReader(gz)) is { } hz)
                    return hz;
            }
            var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            var boot = $"/boot/config-{release}";
            if (File.Exists(boot))
            {
                using var reader = File.OpenText(boot);
                return FindHz(reader);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Unreadable configuration: fall back to the nanosecond clock.
        }
        return null;
    }

    private static uint? FindHz(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            var match = HzLine().Match(line);
            if (match.Success && uint.TryParse(match.Groups[1].Value, out var hz) && hz > 0)
                return hz;
        }
        return null;
    }

    [GeneratedRegex(@"^CONFIG_HZ=(\d+)$")]
    private static partial Regex HzLine();
}
