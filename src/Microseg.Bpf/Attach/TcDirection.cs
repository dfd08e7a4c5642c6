namespace Microseg.Bpf;

/// <summary>Which clsact hook a TC program runs on; values are enum bpf_tc_attach_point.</summary>
public enum TcDirection
{
    /// <summary>Packets received by the device (BPF_TC_INGRESS).</summary>
    Ingress = 1,
    /// <summary>Packets sent by the device (BPF_TC_EGRESS).</summary>
    Egress = 2,
}
