using Microseg.Bpf;
using Microseg.Datapath.Loading;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// Puts the session's programs on an interface without ever leaving it unprotected: programs
/// already ours and current are kept; an older program of ours is swapped atomically (XDP
/// replace naming the expected old program, TC replace at the same handle and priority);
/// nothing attached gets a fresh attach. Another program (not ours) is never touched.
/// </summary>
public sealed class InterfaceAttacher(DatapathSession session, XdpAttachMode mode, ILogger logger)
{
    /// <summary>Tc handle and priority our egress filter uses.</summary>
    public const uint TcHandle = 1, TcPriority = 1;

    /// <summary>What happened on one interface.</summary>
    public sealed record Result(XdpAttachMode XdpMode, bool CreatedClsact, string Action);

    /// <summary>Attaches, replaces or keeps; runs inside the interface's namespace. Throws <see cref="BpfException"/> on a kernel refusal.</summary>
    public Result Ensure(PresentInterface target, bool createdClsactBefore) =>
        InterfaceResolver.InNamespace(target.Namespace, () => EnsureHere(target, createdClsactBefore));

    private Result EnsureHere(PresentInterface target, bool createdClsactBefore)
    {
        var ifindex = target.Ifindex;
        var actions = new List<string>();

        var xdpId = Xdp.QueryAttachedProgramId(ifindex, out var xdpMode);
        if (xdpId == session.Ingress.Id)
        {
            actions.Add("xdp kept");
        }
        else if (xdpId == 0)
        {
            xdpMode = Xdp.Attach(ifindex, session.Ingress, mode, m => logger.LogWarning("{Interface}: {Message}", target.DisplayName, m));
            actions.Add($"xdp attached ({Describe(xdpMode)})");
        }
        else if (IsOurs(xdpId, MapNames.IngressProgram))
        {
            Xdp.ReplaceById(ifindex, session.Ingress, xdpId, xdpMode);
            actions.Add($"xdp program {xdpId} replaced");
        }
        else
        {
            throw new InvalidOperationException($"{target.DisplayName} runs another XDP program (id {xdpId}, not microseg's); detach it first");
        }

        var createdClsact = createdClsactBefore;
        var tcId = Tc.QueryEgressProgramId(ifindex, TcHandle, TcPriority);
        if (tcId == session.Egress.Id)
        {
            actions.Add("tc kept");
        }
        else if (tcId == 0 || IsOurs(tcId, MapNames.EgressProgram))
        {
            var attachment = Tc.AttachEgress(ifindex, session.Egress, TcHandle, TcPriority, replace: tcId != 0);
            createdClsact |= attachment.CreatedHook;
            actions.Add(tcId == 0 ? "tc attached" : $"tc program {tcId} replaced");
        }
        else
        {
            throw new InvalidOperationException($"{target.DisplayName} has another tc egress filter at handle {TcHandle}, priority {TcPriority} (program {tcId}, not microseg's)");
        }
        return new Result(xdpMode, createdClsact, string.Join(", ", actions));
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

    public static string Describe(XdpAttachMode mode) => mode switch
    {
        XdpAttachMode.Native => "native",
        XdpAttachMode.Generic => "generic",
        XdpAttachMode.Hardware => "offload",
        _ => "none",
    };
}
