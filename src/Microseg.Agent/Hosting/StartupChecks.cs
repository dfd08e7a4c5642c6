using System.Globalization;

namespace Microseg.Agent.Hosting;

/// <summary>
/// What must hold before anything is loaded: privileges, a kernel with BTF and the features
/// the programs use, bpffs (mounted if missing), and enough locked memory for the maps.
/// Each failure is one sentence and its own exit code.
/// </summary>
public static class StartupChecks
{
    /// <summary>The oldest kernel the programs are built for (README: 6.1, an LTS with everything they use).</summary>
    public static readonly Version MinimumKernel = new(6, 1);

    /// <summary>Since 5.11 BPF memory is charged to the memory cgroup and RLIMIT_MEMLOCK no longer applies.</summary>
    public static readonly Version MemcgAccountingKernel = new(5, 11);

    /// <summary>Locked memory the default maps need when RLIMIT_MEMLOCK does apply (conntrack and policy maps, ring).</summary>
    public const ulong MemlockNeededBytes = 128UL << 20;

    /// <summary>Runs every check in order; throws <see cref="StartupException"/> at the first failure.</summary>
    public static void Run(ISystemProbe probe, string pinDirectory, Action<string>? log = null)
    {
        if (probe.MissingPrivileges() is { } missing)
            throw new StartupException(ExitCode.MissingPrivileges, missing);

        var release = probe.KernelRelease();
        var version = ParseKernelVersion(release);
        if (version is null || version < MinimumKernel)
            throw new StartupException(ExitCode.KernelUnsupported,
                $"Kernel {release} is too old: microsegd needs Linux {MinimumKernel} or later.");
        if (!probe.HasKernelBtf())
            throw new StartupException(ExitCode.KernelUnsupported,
                $"Kernel {release} exposes no BTF (/sys/kernel/btf/vmlinux is missing): it must be built with CONFIG_DEBUG_INFO_BTF=y.");

        var bpffs = BpfFsRoot(pinDirectory);
        if (!probe.IsBpfFsMounted(bpffs))
        {
            try
            {
                probe.MountBpfFs(bpffs);
                log?.Invoke($"Mounted bpffs at {bpffs}.");
            }
            catch (Exception e)
            {
                throw new StartupException(ExitCode.BpfFsUnavailable,
                    $"bpffs is not mounted at {bpffs} and mounting it failed ({e.Message}).", e);
            }
        }

        if (!probe.TryRaiseMemlock(out var current) && version < MemcgAccountingKernel && current < MemlockNeededBytes)
            throw new StartupException(ExitCode.MemlockTooLow,
                $"The locked-memory limit is {current / 1024} KiB and could not be raised; the maps need {MemlockNeededBytes >> 20} MiB (set LimitMEMLOCK=infinity).");
    }

    /// <summary>"6.18.0-rc1-amd64" → 6.18; null when it does not start with MAJOR.MINOR.</summary>
    public static Version? ParseKernelVersion(string release)
    {
        var parts = release.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major))
            return null;
        var digits = new string(parts[1].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? new Version(major, minor) : null;
    }

    /// <summary>The bpffs mount the pins go on: /sys/fs/bpf for anything under it, else the pin directory's parent.</summary>
    public static string BpfFsRoot(string pinDirectory)
    {
        var full = Path.GetFullPath(pinDirectory);
        return full.StartsWith(Microseg.Bpf.BpfFs.DefaultPath + "/", StringComparison.Ordinal) || full == Microseg.Bpf.BpfFs.DefaultPath
            ? Microseg.Bpf.BpfFs.DefaultPath
            : Path.GetDirectoryName(full) ?? full;
    }
}
