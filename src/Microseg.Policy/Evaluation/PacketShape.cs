namespace Microseg.Policy.Evaluation;

/// <summary>What kind of frame a packet is, before any policy applies to it.</summary>
public enum PacketShape : byte
{
    /// <summary>A whole, well-formed IP packet (not fragmented).</summary>
    Whole = 0,

    /// <summary>Truncated or invalid headers, with both addresses still readable.</summary>
    Malformed = 1,

    /// <summary>The first fragment of a datagram: carries the transport header and is judged like any packet.</summary>
    FirstFragment = 2,

    /// <summary>A later fragment: no transport header; it follows its first fragment (matched by <see cref="PacketFacts.FragmentId"/>).</summary>
    LaterFragment = 3,

    /// <summary>Not IPv4 or IPv6 (ARP, LLDP): always passed.</summary>
    NotIp = 4,
}
