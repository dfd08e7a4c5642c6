using System.Net;

namespace Microseg.Policy.Evaluation;

/// <summary>
/// The packet an ICMP error quotes, as it travelled: for an arriving error it is a packet this
/// host sent, for a leaving one a packet it received. A quoted ICMP echo carries its identifier
/// in both ports.
/// </summary>
/// <param name="Source">The quoted packet's source address.</param>
/// <param name="Destination">The quoted packet's destination address.</param>
/// <param name="Protocol">The quoted packet's IP protocol number.</param>
/// <param name="SourcePort">Its source port (or echo identifier).</param>
/// <param name="DestinationPort">Its destination port (or echo identifier).</param>
public sealed record IcmpQuote(IPAddress Source, IPAddress Destination, byte Protocol, ushort SourcePort, ushort DestinationPort);
