using System.Net;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Evaluation;

/// <summary>
/// What the rules are asked about a flow: the local endpoint's identity, the peer (address and
/// identity), the direction of the flow's first packet, its protocol, and the destination port or
/// ICMP type of that packet.
/// </summary>
internal sealed record FlowQuestion(
    IdentityDefinition Local,
    IPAddress RemoteAddress,
    IdentityDefinition Peer,
    Direction Direction,
    byte Protocol,
    ushort DestinationPort,
    byte IcmpType)
{
    /// <summary>"ingress tcp port 443".</summary>
    public override string ToString() =>
        $"{Direction.Name()} {IcmpKinds.Describe(Protocol, DestinationPort, IcmpType)}";
}
