using Microseg.Policy.Diagnostics;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Model;

/// <summary>Local addresses on this host that belong to one identity, and how they are judged.</summary>
/// <param name="Identity">The identity's name (a declared one, or <c>host</c>).</param>
/// <param name="Addresses">Single host addresses.</param>
/// <param name="Mode">Mode, with the default already applied.</param>
/// <param name="Ingress">Default inbound verdict, with the default already applied.</param>
/// <param name="Egress">Default outbound verdict, with the default already applied.</param>
/// <param name="Position">Where the entry starts.</param>
/// <param name="IdentityPosition">Where the identity name was written.</param>
public sealed record LocalEndpoint(
    string Identity,
    IReadOnlyList<AddressEntry> Addresses,
    EndpointMode Mode,
    RuleAction Ingress,
    RuleAction Egress,
    SourcePosition Position,
    SourcePosition IdentityPosition);
