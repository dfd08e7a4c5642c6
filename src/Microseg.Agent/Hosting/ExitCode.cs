namespace Microseg.Agent.Hosting;

/// <summary>microsegd's exit codes: each startup failure has its own, so a unit file or script can tell them apart.</summary>
public enum ExitCode
{
    Success = 0,
    /// <summary>Something unexpected; the log says what.</summary>
    Failure = 1,
    /// <summary>A mistake in the settings file or on the command line.</summary>
    BadSettings = 2,
    /// <summary>Neither root nor the capabilities BPF needs.</summary>
    MissingPrivileges = 3,
    /// <summary>The kernel is too old or lacks BTF.</summary>
    KernelUnsupported = 4,
    /// <summary>bpffs is not mounted and could not be mounted.</summary>
    BpfFsUnavailable = 5,
    /// <summary>The locked-memory limit is too low for the maps and could not be raised.</summary>
    MemlockTooLow = 6,
    /// <summary>The eBPF objects are missing or the kernel refused them.</summary>
    ProgramsNotLoaded = 7,
    /// <summary>A configured interface could not be attached to.</summary>
    AttachFailed = 8,
    /// <summary>The policy file is invalid and no earlier policy is enforced to keep.</summary>
    PolicyInvalid = 9,
    /// <summary>
    /// The pinned maps are of another layout or ABI version and could not be replaced (the
    /// policy to write into new ones is invalid): nothing was changed, the attached programs
    /// keep enforcing the old maps.
    /// </summary>
    PinnedStateIncompatible = 10,
}
