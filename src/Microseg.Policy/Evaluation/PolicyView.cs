using System.Net;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Evaluation;

/// <summary>One policy, prepared for judging: endpoints by local address, identities by name, the peer table.</summary>
internal sealed class PolicyView
{
    private readonly Dictionary<string, IdentityDefinition> _identities = [];

    private readonly Dictionary<IPAddress, LocalEndpoint> _endpoints = [];

    private readonly PeerIdentityTable _peers;

    // Each attached interface's owner: the endpoint judging its addresses that no endpoint lists.
    private readonly Dictionary<string, LocalEndpoint> _interfaceOwners = new(StringComparer.Ordinal);

    public PolicyView(PolicyDocument document, int generation, IReadOnlyList<InterfaceAddresses> interfaces)
    {
        Document = document;
        Generation = generation;
        Interfaces = interfaces;
        foreach (InterfaceOwner owner in InterfaceOwnership.Resolve(document, interfaces))
        {
            if (owner.Endpoint is { } endpoint)
            {
                _interfaceOwners.TryAdd(owner.Interface, endpoint);
            }
        }
        foreach (IdentityDefinition identity in document.AllIdentities)
        {
            _identities.TryAdd(identity.Name, identity);
        }

        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            foreach (AddressEntry address in endpoint.Addresses)
            {
                // Validation refuses an address in two endpoints; keep the first if it did not run.
                _endpoints.TryAdd(address.Network.BaseAddress, endpoint);
            }
        }

        _peers = new PeerIdentityTable(document, IdentityNamed);
    }

    public PolicyDocument Document { get; }

    /// <summary>Counts policy changes: a flow admitted under an older generation is judged again.</summary>
    public int Generation { get; }

    /// <summary>The attached interfaces and their addresses, as the evaluator was told them.</summary>
    public IReadOnlyList<InterfaceAddresses> Interfaces { get; }

    /// <summary>The endpoint that lists <paramref name="local"/>, or null.</summary>
    public LocalEndpoint? EndpointAt(IPAddress local) => _endpoints.GetValueOrDefault(local);

    /// <summary>The endpoint owning the interface <paramref name="name"/>, or null (no owner, or not an attached interface).</summary>
    public LocalEndpoint? OwnerOf(string? name) => name is null ? null : _interfaceOwners.GetValueOrDefault(name);

    public PeerMatch PeerOf(IPAddress remote) => _peers.Find(remote);

    /// <summary>A declared or reserved identity; an unknown name (only in an invalid policy) gets a label-less stand-in.</summary>
    public IdentityDefinition IdentityNamed(string name) =>
        _identities.TryGetValue(name, out IdentityDefinition? identity)
            ? identity
            : new IdentityDefinition(name, new Dictionary<string, string>(), [], default);

    /// <summary>The question the rules answer for a flow whose first packet had these facts.</summary>
    public FlowQuestion Question(LocalEndpoint endpoint, IPAddress remote, Direction direction, byte protocol, ushort destinationPort, byte icmpType) =>
        new(IdentityNamed(endpoint.Identity), remote, PeerOf(remote).Identity,
            direction,
            protocol, destinationPort, icmpType);

    public PolicyDecision Decide(LocalEndpoint endpoint, FlowQuestion question) => PrecedenceJudge.Decide(Document, endpoint, question);
}
