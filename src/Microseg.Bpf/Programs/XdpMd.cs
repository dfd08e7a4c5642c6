using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// Mirrors struct xdp_md (linux/bpf.h), the context of an XDP test run. For
/// BPF_PROG_TEST_RUN the kernel requires (checked on 6.18): <see cref="Data"/> = metadata
/// length (0), <see cref="DataEnd"/> = packet length (6.18 accepts less, anything more is
/// EINVAL; kernels before ~6.12 demand equality), <see cref="DataMeta"/> = 0,
/// <see cref="EgressIfindex"/> = 0; <see cref="IngressIfindex"/> 0 or a device that exists
/// in the calling thread's network namespace (else ENODEV), and
/// <see cref="RxQueueIndex"/> below that device's real RX queue count (else EINVAL; it
/// must be 0 when no device is given).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct XdpMd
{
    /// <summary>Offset of the packet start (after metadata).</summary>
    public uint Data;
    /// <summary>Offset of the packet end.</summary>
    public uint DataEnd;
    /// <summary>Offset of the metadata start.</summary>
    public uint DataMeta;
    /// <summary>ifindex of the receiving device.</summary>
    public uint IngressIfindex;
    /// <summary>RX queue of the receiving device.</summary>
    public uint RxQueueIndex;
    /// <summary>Must be 0 for test runs.</summary>
    public uint EgressIfindex;

    /// <summary>A valid test-run context for a packet of <paramref name="packetLength"/> bytes arriving on <paramref name="ingressIfindex"/>.</summary>
    public static XdpMd ForPacket(int packetLength, int ingressIfindex = 0, uint rxQueueIndex = 0)
        => new() { DataEnd = (uint)packetLength, IngressIfindex = (uint)ingressIfindex, RxQueueIndex = rxQueueIndex };
}
