namespace Microseg.Policy.Evaluation;

/// <summary>Which way a packet crosses the host, and so which of its addresses is local.</summary>
public enum PacketDirection : byte
{
    /// <summary>Arriving: the destination is the local address (the XDP program's side).</summary>
    Ingress = 0,

    /// <summary>Leaving: the source is the local address (the TC egress program's side).</summary>
    Egress = 1,
}
