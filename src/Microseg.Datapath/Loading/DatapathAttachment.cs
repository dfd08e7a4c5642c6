using Microseg.Bpf;

namespace Microseg.Datapath.Loading;

/// <summary>Both programs attached to one interface.</summary>
/// <param name="Ifindex">The interface, in the namespace it was attached in.</param>
/// <param name="XdpMode">The XDP mode actually used (native, or generic after a fallback).</param>
/// <param name="Egress">The TC egress filter, and whether attaching it created clsact.</param>
/// <param name="InterfaceSlot">Where this interface's verdict counters are kept.</param>
public sealed record DatapathAttachment(int Ifindex, XdpAttachMode XdpMode, TcAttachment Egress, uint InterfaceSlot);
