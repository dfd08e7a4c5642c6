namespace Microseg.Agent.Hosting;

/// <summary>What the startup checks ask of the system; faked in tests to reach every failure without breaking the host.</summary>
public interface ISystemProbe
{
    /// <summary>Null when the process may load and attach BPF programs; else a sentence naming what it lacks.</summary>
    string? MissingPrivileges();

    /// <summary>The kernel release, as uname -r prints it.</summary>
    string KernelRelease();

    /// <summary>True when the kernel exposes its BTF (/sys/kernel/btf/vmlinux), which CO-RE programs need.</summary>
    bool HasKernelBtf();

    bool IsBpfFsMounted(string path);

    /// <summary>Mounts bpffs at path; throws with the reason on failure.</summary>
    void MountBpfFs(string path);

    /// <summary>Raises RLIMIT_MEMLOCK to unlimited; false with the current limit when not allowed.</summary>
    bool TryRaiseMemlock(out ulong currentBytes);
}
