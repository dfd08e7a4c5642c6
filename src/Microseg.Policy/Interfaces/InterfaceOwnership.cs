using System.Net;
using System.Net.Sockets;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Interfaces;

/// <summary>
/// The rule for an address of an attached interface that no endpoint lists (docs/policy.md,
/// "Which endpoint, which peer"): it belongs to the endpoint that owns the interface. The
/// owner is the endpoint with an address on the interface whose mode is strictest (enforce,
/// then monitor, then off); among equally strict ones, the first in the file. With no
/// endpoint address on it, the interface has no owner and such addresses are not judged.
/// </summary>
public static class InterfaceOwnership
{
    /// <summary>The owner and the unlisted addresses of each interface.</summary>
    public static IReadOnlyList<InterfaceOwner> Resolve(PolicyDocument document, IEnumerable<InterfaceAddresses> interfaces)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(interfaces);
        var listedBy = ListedAddresses(document);
        var owners = new List<InterfaceOwner>();
        foreach (var @interface in interfaces)
        {
            LocalEndpoint? owner = null;
            IPAddress? ownerAddress = null;
            var ownerOrder = int.MaxValue;
            var unlisted = new List<IPAddress>();
            foreach (var raw in @interface.Addresses)
            {
                var address = Normalize(raw);
                if (!listedBy.TryGetValue(address, out var candidate))
                {
                    if (!unlisted.Contains(address))
                        unlisted.Add(address);
                    continue;
                }
                if (owner is null || Stricter(candidate.Endpoint.Mode, owner.Mode) ||
                    (candidate.Endpoint.Mode == owner.Mode && candidate.Order < ownerOrder))
                {
                    owner = candidate.Endpoint;
                    ownerAddress = address;
                    ownerOrder = candidate.Order;
                }
            }
            owners.Add(new InterfaceOwner(@interface.Name, owner, ownerAddress, unlisted));
        }
        return owners;
    }

    /// <summary>
    /// A warning per interface address no endpoint lists, for <c>policy check</c>: at the
    /// owning endpoint's entry, or at the start of <paramref name="mainFile"/> with no owner.
    /// </summary>
    public static List<Diagnostic> Warnings(PolicyDocument document, IEnumerable<InterfaceAddresses> interfaces, string mainFile)
    {
        var warnings = new List<Diagnostic>();
        foreach (var owner in Resolve(document, interfaces))
        {
            var at = owner.Endpoint?.Position ?? SourcePosition.StartOf(mainFile);
            var hint = owner.Endpoint is null
                ? $"list the address under the endpoint it belongs to; then every address of {owner.Interface} is judged"
                : "list the address under the endpoint's addresses to say so explicitly";
            foreach (var sentence in owner.Warnings())
                warnings.Add(Diagnostic.At(at, DiagnosticSeverity.Warning, sentence, hint));
        }
        return warnings;
    }

    /// <summary>The address as endpoints list it: no scope id, IPv4-mapped IPv6 as IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            return new IPAddress(address.GetAddressBytes());
        return address;
    }

    private static bool Stricter(EndpointMode a, EndpointMode b) => a > b;

    // Every address an endpoint lists, with the endpoint's place in the file (first wins, as validation keeps it).
    private static Dictionary<IPAddress, (LocalEndpoint Endpoint, int Order)> ListedAddresses(PolicyDocument document)
    {
        var listed = new Dictionary<IPAddress, (LocalEndpoint, int)>();
        for (var i = 0; i < document.Endpoints.Count; i++)
        {
            foreach (var address in document.Endpoints[i].Addresses)
                listed.TryAdd(Normalize(address.Network.BaseAddress), (document.Endpoints[i], i));
        }
        return listed;
    }
}
