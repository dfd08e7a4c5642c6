namespace Microseg.Policy.Evaluation;

/// <summary>The ICMP and TCP facts the documented rules single out.</summary>
internal static class IcmpKinds
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte IcmpV6 = 58;

    /// <summary>ICMPv6 router/neighbor solicitation and advertisement, redirect (133–137).</summary>
    public static bool IsNeighborDiscovery(byte protocol, byte type) => protocol == IcmpV6 && type is >= 133 and <= 137;

    /// <summary>
    /// ICMP errors, which quote the packet they are about: ICMPv4 destination unreachable (3),
    /// source quench (4), time exceeded (11), parameter problem (12); ICMPv6 destination
    /// unreachable (1), packet too big (2), time exceeded (3), parameter problem (4).
    /// </summary>
    public static bool IsError(byte protocol, byte type) => protocol switch
    {
        Icmp => type is 3 or 4 or 11 or 12,
        IcmpV6 => type is >= 1 and <= 4,
        _ => false,
    };

    /// <summary>A TCP SYN without ACK, RST or FIN: a connection attempt, always judged afresh.</summary>
    public static bool IsConnectionAttempt(PacketFacts p) =>
        p.Protocol == Tcp && (p.TcpFlags & (TcpFlagBits.Syn | TcpFlagBits.Ack | TcpFlagBits.Rst | TcpFlagBits.Fin)) == TcpFlagBits.Syn;

    /// <summary>"tcp", "udp", "icmp", "icmpv6" or "protocol 47".</summary>
    public static string ProtocolName(byte protocol) => protocol switch
    {
        Tcp => "tcp",
        Udp => "udp",
        Icmp => "icmp",
        IcmpV6 => "icmpv6",
        _ => $"protocol {protocol}",
    };

    /// <summary>"tcp port 443", "icmp type 8", or the protocol alone.</summary>
    public static string Describe(byte protocol, ushort port, byte icmpType) => protocol switch
    {
        Tcp or Udp => $"{ProtocolName(protocol)} port {port}",
        Icmp or IcmpV6 => $"{ProtocolName(protocol)} type {icmpType}",
        _ => ProtocolName(protocol),
    };
}
