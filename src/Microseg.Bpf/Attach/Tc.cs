namespace Microseg.Bpf;

/// <summary>
/// Attaches direct-action BPF classifiers to a device's clsact qdisc (libbpf bpf_tc_*),
/// in the calling thread's network namespace.
/// </summary>
public static unsafe class Tc
{
    /// <summary>BPF_TC_F_REPLACE: overwrite a filter at the same handle/priority.</summary>
    private const uint FlagReplace = 1;

    /// <summary>Attaches to the egress hook; see <see cref="Attach"/>.</summary>
    public static TcAttachment AttachEgress(int ifindex, BpfProgram program, uint handle = 1, uint priority = 1, bool replace = false)
        => Attach(ifindex, TcDirection.Egress, program, handle, priority, replace);

    /// <summary>Attaches to the ingress hook; see <see cref="Attach"/>.</summary>
    public static TcAttachment AttachIngress(int ifindex, BpfProgram program, uint handle = 1, uint priority = 1, bool replace = false)
        => Attach(ifindex, TcDirection.Ingress, program, handle, priority, replace);

    /// <summary>
    /// Creates the clsact qdisc if missing (remembering that it did), then adds
    /// <paramref name="program"/> as a direct-action filter at handle/priority. Without
    /// <paramref name="replace"/> an existing filter there fails with EEXIST; with it the
    /// filter is swapped in one netlink message.
    /// </summary>
    public static TcAttachment Attach(int ifindex, TcDirection direction, BpfProgram program, uint handle = 1, uint priority = 1, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(program);
        var opts = Options(handle, priority); // validates before anything is created
        opts.Flags = replace ? FlagReplace : 0;
        BpfTcHook hook = Hook(ifindex, (int)direction);
        LibbpfLog.EnsureInstalled();
        long logPosition = LibbpfLog.Position;
        int rc;
        using (LibbpfLog.Quiet()) // EEXIST is the normal answer when the qdisc is there already
            rc = Interop.Libbpf.bpf_tc_hook_create(&hook);
        if (rc < 0 && rc != -Interop.EEXIST)
            Interop.Throw(rc, "bpf_tc_hook_create", $"clsact qdisc on ifindex {ifindex}", LibbpfLog.TextSince(logPosition).TrimEnd());
        bool createdHook = rc == 0;

        logPosition = LibbpfLog.Position;
        // The program's fd travels in the options struct, so it is borrowed for the call.
        using (BorrowedFd programFd = program.Handle.Borrow())
        {
            opts.ProgramFd = programFd.Fd;
            rc = Interop.Libbpf.bpf_tc_attach(&hook, &opts);
        }
        if (rc < 0)
        {
            string kernelSays = LibbpfLog.TextSince(logPosition).TrimEnd();
            if (createdHook)
                DestroyHook(ifindex);
            Interop.Throw(rc, "bpf_tc_attach", $"{program} on ifindex {ifindex} {direction}, handle {handle}, priority {priority}", kernelSays);
        }
        return new TcAttachment(ifindex, direction, handle, priority, opts.ProgramId, createdHook);
    }

    /// <summary>
    /// Removes the filter and, if this attachment created the clsact qdisc, the qdisc too.
    /// Removing the qdisc also drops any filter others added to it since, on both hooks.
    /// Already-removed filters or devices are not an error.
    /// </summary>
    public static void Detach(TcAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        Detach(attachment.Ifindex, attachment.Direction, attachment.Handle, attachment.Priority);
        if (attachment.CreatedHook)
            DestroyHook(attachment.Ifindex);
    }

    /// <summary>The id of the program filtering egress at handle/priority, or 0 when none.</summary>
    public static uint QueryEgressProgramId(int ifindex, uint handle = 1, uint priority = 1)
        => QueryProgramId(ifindex, TcDirection.Egress, handle, priority);

    /// <summary>The id of the program filtering ingress at handle/priority, or 0 when none.</summary>
    public static uint QueryIngressProgramId(int ifindex, uint handle = 1, uint priority = 1)
        => QueryProgramId(ifindex, TcDirection.Ingress, handle, priority);

    /// <summary>The id of the program at that hook/handle/priority, or 0 when none (or no clsact qdisc).</summary>
    public static uint QueryProgramId(int ifindex, TcDirection direction, uint handle = 1, uint priority = 1)
    {
        BpfTcHook hook = Hook(ifindex, (int)direction);
        var opts = Options(handle, priority);
        LibbpfLog.EnsureInstalled(); // else libbpf's default printer writes the kernel's "not found" to stderr
        int rc;
        using (LibbpfLog.Quiet()) // "not found" is an answer here, not a failure
            rc = Interop.Libbpf.bpf_tc_query(&hook, &opts);
        if (IsNotFound(rc))
            return 0;
        if (rc < 0)
            Interop.Throw(rc, "bpf_tc_query", $"ifindex {ifindex} {direction}, handle {handle}, priority {priority}");
        return opts.ProgramId;
    }

    /// <summary>Removes an egress filter (e.g. one adopted from a previous run); a missing one is fine. Leaves the qdisc.</summary>
    public static void DetachEgress(int ifindex, uint handle = 1, uint priority = 1)
        => Detach(ifindex, TcDirection.Egress, handle, priority);

    /// <summary>Removes an ingress filter; a missing one is fine. Leaves the qdisc.</summary>
    public static void DetachIngress(int ifindex, uint handle = 1, uint priority = 1)
        => Detach(ifindex, TcDirection.Ingress, handle, priority);

    /// <summary>Removes the clsact qdisc with every filter on it; a missing one is fine.</summary>
    public static void DestroyHook(int ifindex)
    {
        BpfTcHook hook = Hook(ifindex, (int)(TcDirection.Ingress | TcDirection.Egress));
        LibbpfLog.EnsureInstalled();
        int rc;
        using (LibbpfLog.Quiet())
            rc = Interop.Libbpf.bpf_tc_hook_destroy(&hook);
        if (rc < 0 && rc != -Interop.ENOENT && rc != -Interop.EINVAL && rc != -Interop.ENODEV)
            Interop.Throw(rc, "bpf_tc_hook_destroy", $"clsact qdisc on ifindex {ifindex}");
    }

    private static void Detach(int ifindex, TcDirection direction, uint handle, uint priority)
    {
        BpfTcHook hook = Hook(ifindex, (int)direction);
        var opts = Options(handle, priority);
        LibbpfLog.EnsureInstalled();
        int rc;
        using (LibbpfLog.Quiet())
            rc = Interop.Libbpf.bpf_tc_detach(&hook, &opts);
        if (rc < 0 && !IsNotFound(rc) && rc != -Interop.ENODEV)
            Interop.Throw(rc, "bpf_tc_detach", $"ifindex {ifindex} {direction}, handle {handle}, priority {priority}");
    }

    /// <summary>
    /// The kernel answers a filter lookup with ENOENT when the chain exists but holds no
    /// filter at that priority, and with EINVAL when there is no chain (no filter on that
    /// hook at all) or no clsact qdisc. libbpf's own EINVAL cases (handle or priority 0)
    /// are excluded by <see cref="Options"/>, so both mean "nothing there".
    /// </summary>
    private static bool IsNotFound(int rc) => rc == -Interop.ENOENT || rc == -Interop.EINVAL;

    private static BpfTcHook Hook(int ifindex, int attachPoint)
        => new() { Size = (nuint)sizeof(BpfTcHook), Ifindex = ifindex, AttachPoint = attachPoint };

    private static BpfTcOpts Options(uint handle, uint priority)
    {
        // libbpf rejects 0 with EINVAL; catching it here keeps EINVAL from the kernel unambiguous.
        ArgumentOutOfRangeException.ThrowIfZero(handle);
        ArgumentOutOfRangeException.ThrowIfZero(priority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, 0xffffu);
        return new() { Size = (nuint)sizeof(BpfTcOpts), Handle = handle, Priority = priority };
    }
}
