using Microseg.Bpf;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Maps;

namespace Microseg.Datapath.Attaching;

/// <summary>
/// Puts microseg's two programs on an interface without ever leaving it unprotected: programs
/// already ours and current are kept; an older program of ours is swapped atomically (XDP
/// replace naming the expected old program, TC replace at the same handle and priority);
/// nothing attached gets a fresh attach. Another program (not ours) is never touched. The one
/// attach microsegd, the tests and the SRE benchmark use; it works in the calling thread's
/// network namespace.
/// </summary>
public sealed class InterfaceAttacher(DatapathMaps maps, BpfProgram ingress, BpfProgram egress, XdpAttachMode mode)
{
    /// <summary>Tc handle and priority our egress filter uses.</summary>
    public const uint TcHandle = 1, TcPriority = 1;

    /// <summary>
    /// Attaches, replaces or keeps both programs on <paramref name="ifindex"/>, then gives it
    /// the verdict counters of <paramref name="interfaceSlot"/>. Throws <see cref="BpfException"/>
    /// on a kernel refusal and <see cref="InvalidOperationException"/> when another program holds the hook.
    /// </summary>
    /// <param name="ifindex">The interface, in the calling thread's namespace.</param>
    /// <param name="name">The interface as messages name it.</param>
    /// <param name="interfaceSlot">Its verdict counter slot in ms_interface_slots (1 to MaxInterfaceSlots - 1).</param>
    /// <param name="createdClsactBefore">Whether an earlier attach created the clsact qdisc (kept in the result).</param>
    /// <param name="warn">Told when native XDP is refused and generic is used instead.</param>
    public AttachOutcome Ensure(int ifindex, string name, uint interfaceSlot, bool createdClsactBefore, Action<string>? warn = null)
    {
        var actions = new List<string>(2);

        var xdpId = Xdp.QueryAttachedProgramId(ifindex, out var xdpMode);
        if (xdpId == ingress.Id)
        {
            actions.Add("xdp kept");
        }
        else if (xdpId == 0)
        {
            xdpMode = Xdp.Attach(ifindex, ingress, mode, warn);
            actions.Add($"xdp attached ({Describe(xdpMode)})");
        }
        else if (IsOurs(xdpId, MapNames.IngressProgram))
        {
            Xdp.ReplaceById(ifindex, ingress, xdpId, xdpMode);
            actions.Add($"xdp program {xdpId} replaced");
        }
        else
        {
            throw new InvalidOperationException($"{name} runs another XDP program (id {xdpId}, not microseg's); detach it first");
        }

        var createdClsact = createdClsactBefore;
        var tcId = Tc.QueryEgressProgramId(ifindex, TcHandle, TcPriority);
        if (tcId == egress.Id)
        {
            actions.Add("tc kept");
        }
        else if (tcId == 0 || IsOurs(tcId, MapNames.EgressProgram))
        {
            var attachment = Tc.AttachEgress(ifindex, egress, TcHandle, TcPriority, replace: tcId != 0);
            createdClsact |= attachment.CreatedHook;
            actions.Add(tcId == 0 ? "tc attached" : $"tc program {tcId} replaced");
        }
        else
        {
            throw new InvalidOperationException($"{name} has another tc egress filter at handle {TcHandle}, priority {TcPriority} (program {tcId}, not microseg's)");
        }
        maps.AssignInterfaceSlot(ifindex, interfaceSlot);
        return new AttachOutcome(xdpMode, createdClsact, string.Join(", ", actions));
    }

    /// <summary>
    /// Takes microseg's programs off <paramref name="ifindex"/> (in the calling thread's
    /// namespace), and the clsact qdisc when microseg created it; programs not ours stay.
    /// Returns what was removed, or null when nothing of ours was there.
    /// </summary>
    public static string? Detach(int ifindex, bool createdClsact)
    {
        var removed = new List<string>(3);
        var xdpId = Xdp.QueryAttachedProgramId(ifindex, out var xdpMode);
        if (xdpId != 0 && IsOurs(xdpId, MapNames.IngressProgram))
        {
            Xdp.Detach(ifindex, xdpMode);
            removed.Add($"xdp program {xdpId} detached");
        }
        var tcId = Tc.QueryEgressProgramId(ifindex, TcHandle, TcPriority);
        if (tcId != 0 && IsOurs(tcId, MapNames.EgressProgram))
        {
            Tc.DetachEgress(ifindex, TcHandle, TcPriority);
            removed.Add($"tc program {tcId} detached");
        }
        if (createdClsact)
        {
            Tc.DestroyHook(ifindex);
            removed.Add("clsact qdisc removed");
        }
        return removed.Count == 0 ? null : string.Join(", ", removed);
    }

    /// <summary>True when the program with that id is one of microseg's (by its name; the kernel keeps 15 characters).</summary>
    public static bool IsOurs(uint programId, string name)
    {
        try
        {
            using var program = BpfProgram.OpenById(programId);
            return program.Name == (name.Length > 15 ? name[..15] : name);
        }
        catch (BpfException)
        {
            return false;
        }
    }

    /// <summary>The attach mode as status and logs name it.</summary>
    public static string Describe(XdpAttachMode mode) => mode switch
    {
        XdpAttachMode.Native => "native",
        XdpAttachMode.Generic => "generic",
        XdpAttachMode.Hardware => "offload",
        _ => "none",
    };
}
