namespace Microseg.Bpf;

/// <summary>How an XDP program is (to be) attached to a device.</summary>
public enum XdpAttachMode
{
    /// <summary>In the driver (XDP_FLAGS_DRV_MODE): fastest; needs driver support.</summary>
    Native = 0,
    /// <summary>In the generic network stack after the skb is built (XDP_FLAGS_SKB_MODE): works on every device.</summary>
    Generic = 1,
    /// <summary>Request only: try <see cref="Native"/>, fall back to <see cref="Generic"/> if the driver refuses.</summary>
    NativeWithGenericFallback = 2,
    /// <summary>Reported only: offloaded to the NIC (XDP_FLAGS_HW_MODE).</summary>
    Hardware = 3,
    /// <summary>Reported only: nothing is attached.</summary>
    None = 4,
}
