using Microseg.Policy.Diagnostics;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Model;

/// <summary>An allow or deny rule between local endpoints and peers.</summary>
/// <param name="Name">Unique name; shown in events and metrics.</param>
/// <param name="Action">Allow or deny.</param>
/// <param name="Direction">Ingress (peer connects in) or egress (local connects out).</param>
/// <param name="Local">Selects the local endpoints, by identity.</param>
/// <param name="Peer">Selects the remote identities.</param>
/// <param name="Protocol">Protocol, or any.</param>
/// <param name="Ports">TCP/UDP destination ports; empty means any.</param>
/// <param name="IcmpTypes">ICMP types; empty means any.</param>
/// <param name="Position">Where the rule starts.</param>
public sealed record PolicyRule(
    string Name,
    RuleAction Action,
    Direction Direction,
    Selector Local,
    Selector Peer,
    Protocol Protocol,
    IReadOnlyList<PortRange> Ports,
    IReadOnlyList<PortRange> IcmpTypes,
    SourcePosition Position);
