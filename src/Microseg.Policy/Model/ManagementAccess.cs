using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>Fail-safe inbound access (SSH from an admin network, say) that beats every deny.</summary>
/// <param name="Name">Unique name; shown in events and metrics.</param>
/// <param name="From">Admin addresses and prefixes.</param>
/// <param name="Protocol">Protocol; tcp by default.</param>
/// <param name="Ports">Ports; 22 by default for tcp.</param>
/// <param name="Local">The endpoints reached; every one by default.</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record ManagementAccess(
    string Name,
    IReadOnlyList<AddressEntry> From,
    Protocol Protocol,
    IReadOnlyList<PortRange> Ports,
    Selector Local,
    SourcePosition Position);
