using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Simulation;

/// <summary>Observed flows of one endpoint, peer, service and deciding rule whose fate a new policy changes.</summary>
/// <param name="Local">The local endpoint's identity, as recorded.</param>
/// <param name="Peer">The peer's identity, as recorded.</param>
/// <param name="Direction">Direction of the flows' first packets.</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Port">Destination port or ICMP type.</param>
/// <param name="Rule">The entry of the new policy that decides them, or <c>default</c>.</param>
public sealed record SimulatedChange(string Local, string Peer, Direction Direction, byte Protocol, ushort Port, string Rule)
{
    public ulong Flows { get; internal set; }

    public DateTimeOffset FirstSeen { get; internal set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset LastSeen { get; internal set; } = DateTimeOffset.MinValue;

    public string From => Direction == Direction.Ingress ? Peer : Local;

    public string To => Direction == Direction.Ingress ? Local : Peer;

    public string Service => FlowText.Service(Protocol, Port);
}
