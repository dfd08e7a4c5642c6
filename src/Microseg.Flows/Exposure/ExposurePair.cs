namespace Microseg.Flows.Exposure;

/// <summary>What one identity can open to another under a policy (one governed ordered pair).</summary>
/// <param name="From">The identity opening connections.</param>
/// <param name="To">The identity connected to.</param>
/// <param name="TcpPorts">TCP destination ports (of 1–65535) reachable.</param>
/// <param name="UdpPorts">UDP destination ports (of 1–65535) reachable.</param>
/// <param name="IcmpEcho">ICMP echo request (ping) reachable.</param>
/// <param name="IcmpV6Echo">ICMPv6 echo request reachable.</param>
/// <param name="OtherProtocols">Other IP protocols (only a rule for any protocol names them) reachable.</param>
public sealed record ExposurePair(string From, string To, int TcpPorts, int UdpPorts, bool IcmpEcho, bool IcmpV6Echo, bool OtherProtocols)
{
    /// <summary>Services per pair: 65,535 TCP ports, 65,535 UDP ports, ICMP echo, ICMPv6 echo, other protocols.</summary>
    public const long ServicesPerPair = (2 * 65535L) + 3;

    /// <summary>Services reachable, of <see cref="ServicesPerPair"/>.</summary>
    public long Reachable => (long)TcpPorts + UdpPorts + (IcmpEcho ? 1 : 0) + (IcmpV6Echo ? 1 : 0) + (OtherProtocols ? 1 : 0);
}
