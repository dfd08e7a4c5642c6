namespace Microseg.Bpf;

/// <summary>
/// Attaches XDP programs to devices through netlink (libbpf bpf_xdp_*). Calls act on the
/// calling thread's network namespace; use <see cref="NetworkNamespace.Run(Action)"/> for another.
/// </summary>
public static unsafe class Xdp
{
    // XDP_FLAGS_* from linux/if_link.h.
    private const uint FlagUpdateIfNoExist = 1 << 0;
    private const uint FlagSkbMode = 1 << 1;
    private const uint FlagDriverMode = 1 << 2;
    private const uint FlagReplace = 1 << 4;

    // XDP_ATTACHED_* from linux/if_link.h.
    private const byte AttachedDriver = 1;
    private const byte AttachedSkb = 2;
    private const byte AttachedHardware = 3;
    private const byte AttachedMulti = 4;

    /// <summary>
    /// Attaches <paramref name="program"/> to <paramref name="ifindex"/>, failing (EBUSY/EEXIST)
    /// if an XDP program is already attached; use <see cref="Replace(int, BpfProgram, BpfProgram, XdpAttachMode)"/>
    /// to swap one atomically. With <see cref="XdpAttachMode.NativeWithGenericFallback"/> a
    /// refused native attach is logged in one line and generic mode is used instead.
    /// </summary>
    /// <returns>The mode actually used: <see cref="XdpAttachMode.Native"/> or <see cref="XdpAttachMode.Generic"/>.</returns>
    public static XdpAttachMode Attach(int ifindex, BpfProgram program, XdpAttachMode mode, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        LibbpfLog.EnsureInstalled();
        long logPosition = LibbpfLog.Position;
        if (mode is XdpAttachMode.Native or XdpAttachMode.Generic)
        {
            int rc = Interop.Libbpf.bpf_xdp_attach(ifindex, program.Handle, FlagUpdateIfNoExist | ModeFlag(mode), null);
            if (rc < 0)
                Interop.Throw(rc, "bpf_xdp_attach", Describe(ifindex, program, mode), KernelSays(logPosition));
            return mode;
        }
        if (mode != XdpAttachMode.NativeWithGenericFallback)
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Attach takes Native, Generic or NativeWithGenericFallback.");

        int native = Interop.Libbpf.bpf_xdp_attach(ifindex, program.Handle, FlagUpdateIfNoExist | FlagDriverMode, null);
        if (native == 0)
            return XdpAttachMode.Native;
        // Already attached or not allowed: generic mode would fail the same way or hide the problem.
        if (native is -Interop.EEXIST or -Interop.EBUSY or -Interop.EPERM or -Interop.EACCES)
            Interop.Throw(native, "bpf_xdp_attach", Describe(ifindex, program, XdpAttachMode.Native), KernelSays(logPosition));

        BpfException why = Interop.CreateException(native, "bpf_xdp_attach", Describe(ifindex, program, XdpAttachMode.Native), KernelSays(logPosition));
        log?.Invoke($"Native XDP attach refused ({why.Message}); attaching in generic (skb) mode instead, which is slower.");
        logPosition = LibbpfLog.Position;
        int generic = Interop.Libbpf.bpf_xdp_attach(ifindex, program.Handle, FlagUpdateIfNoExist | FlagSkbMode, null);
        if (generic < 0)
            Interop.Throw(generic, "bpf_xdp_attach", Describe(ifindex, program, XdpAttachMode.Generic) + $" after native mode failed with errno {why.Errno}", KernelSays(logPosition));
        return XdpAttachMode.Generic;
    }

    /// <summary>
    /// Atomically replaces the XDP program on <paramref name="ifindex"/> with
    /// <paramref name="newProgram"/>, only if the attached one is still the program behind
    /// <paramref name="expectedOld"/> (XDP_FLAGS_REPLACE; EEXIST otherwise).
    /// With <see cref="XdpAttachMode.NativeWithGenericFallback"/> the current mode is kept.
    /// </summary>
    public static void Replace(int ifindex, BpfProgram newProgram, BpfProgram expectedOld, XdpAttachMode mode)
    {
        ArgumentNullException.ThrowIfNull(newProgram);
        ArgumentNullException.ThrowIfNull(expectedOld);
        mode = ResolveMode(ifindex, mode);
        LibbpfLog.EnsureInstalled();
        long logPosition = LibbpfLog.Position;
        int rc;
        // The old program's fd travels in the options struct, so it is borrowed for the call.
        using (BorrowedFd old = expectedOld.Handle.Borrow())
        {
            var opts = new BpfXdpAttachOpts { Size = (nuint)sizeof(BpfXdpAttachOpts), OldProgramFd = old.Fd };
            rc = Interop.Libbpf.bpf_xdp_attach(ifindex, newProgram.Handle, FlagReplace | ModeFlag(mode), &opts);
        }
        if (rc < 0)
            Interop.Throw(rc, "bpf_xdp_attach", Describe(ifindex, newProgram, mode) + $", replacing {expectedOld}", KernelSays(logPosition));
    }

    /// <summary>Atomic replacement expecting the program with kernel id <paramref name="expectedOldProgramId"/> to be attached.</summary>
    public static void ReplaceById(int ifindex, BpfProgram newProgram, uint expectedOldProgramId, XdpAttachMode mode)
    {
        using BpfProgram old = BpfProgram.OpenById(expectedOldProgramId);
        Replace(ifindex, newProgram, old, mode);
    }

    /// <summary>
    /// Detaches whatever XDP program is attached in <paramref name="mode"/> (with
    /// NativeWithGenericFallback: in whichever mode is attached). Nothing attached is fine.
    /// </summary>
    public static void Detach(int ifindex, XdpAttachMode mode)
    {
        mode = ResolveMode(ifindex, mode);
        if (mode == XdpAttachMode.None)
            return;
        int rc = Interop.Libbpf.bpf_xdp_detach(ifindex, ModeFlag(mode), null);
        if (rc < 0)
            Interop.Throw(rc, "bpf_xdp_detach", $"ifindex {ifindex}, {mode} mode");
    }

    /// <summary>The id of the XDP program attached to <paramref name="ifindex"/> (0 = none) and its mode.</summary>
    public static uint QueryAttachedProgramId(int ifindex, out XdpAttachMode mode)
    {
        var opts = new BpfXdpQueryOpts { Size = (nuint)sizeof(BpfXdpQueryOpts) };
        int rc = Interop.Libbpf.bpf_xdp_query(ifindex, 0, &opts);
        if (rc < 0)
            Interop.Throw(rc, "bpf_xdp_query", $"ifindex {ifindex}");
        (mode, uint id) = opts.AttachMode switch
        {
            AttachedDriver => (XdpAttachMode.Native, opts.ProgramId),
            AttachedSkb => (XdpAttachMode.Generic, opts.ProgramId),
            AttachedHardware => (XdpAttachMode.Hardware, opts.ProgramId),
            // Several modes at once: report the one that sees packets first.
            AttachedMulti when opts.DriverProgramId != 0 => (XdpAttachMode.Native, opts.DriverProgramId),
            AttachedMulti when opts.GenericProgramId != 0 => (XdpAttachMode.Generic, opts.GenericProgramId),
            AttachedMulti => (XdpAttachMode.Hardware, opts.HardwareProgramId),
            _ => (XdpAttachMode.None, 0u),
        };
        return id;
    }

    private static XdpAttachMode ResolveMode(int ifindex, XdpAttachMode mode)
    {
        if (mode != XdpAttachMode.NativeWithGenericFallback)
            return mode;
        QueryAttachedProgramId(ifindex, out XdpAttachMode attached);
        return attached;
    }

    private static uint ModeFlag(XdpAttachMode mode) => mode switch
    {
        XdpAttachMode.Native => FlagDriverMode,
        XdpAttachMode.Generic => FlagSkbMode,
        XdpAttachMode.Hardware => 1 << 3,
        XdpAttachMode.None => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a concrete XDP mode."),
    };

    /// <summary>libbpf prints the kernel's netlink extended ack ("XDP program already attached"); quote it.</summary>
    private static string KernelSays(long logPosition) => LibbpfLog.TextSince(logPosition).TrimEnd();

    private static string Describe(int ifindex, BpfProgram program, XdpAttachMode mode)
        => $"{program} on ifindex {ifindex}, {mode} mode";
}
