using Microseg.Bpf;

namespace Microseg.Datapath.Attaching;

/// <summary>What <see cref="InterfaceAttacher.Ensure"/> did on one interface.</summary>
/// <param name="XdpMode">The XDP mode the ingress program runs in (native, or generic after a fallback).</param>
/// <param name="CreatedClsact">True when microseg created the interface's clsact qdisc (now or before), so uninstall removes it.</param>
/// <param name="Action">What happened, for the log: "xdp attached (native), tc attached", "xdp kept, tc kept", …</param>
public sealed record AttachOutcome(XdpAttachMode XdpMode, bool CreatedClsact, string Action)
{
    /// <summary>True when both programs were already ours and current: nothing changed.</summary>
    public bool NothingChanged => Action == "xdp kept, tc kept";
}
