using System.Net;
using Microseg.Policy.Model;

namespace Microseg.Policy.Evaluation;

/// <summary>
/// The peer's identity by longest matching prefix over every identity's addresses and every
/// endpoint's addresses (traffic between two endpoints sees the other's identity); no match is
/// <c>world</c>. A plain list: the reference is written for clarity, not speed.
/// </summary>
internal sealed class PeerIdentityTable
{
    // Every prefix that names an identity; an endpoint address is a full-length prefix.
    private readonly List<Entry> _entries = [];

    private readonly IdentityDefinition _world = IdentityDefinition.Reserved(IdentityDefinition.WorldName);

    public PeerIdentityTable(PolicyDocument document, Func<string, IdentityDefinition> identityNamed)
    {
        foreach (IdentityDefinition identity in document.Identities)
        {
            _entries.AddRange(identity.Addresses.Select(a => new Entry(a.Network, identity, IsEndpoint: false)));
        }

        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            IdentityDefinition identity = identityNamed(endpoint.Identity);
            _entries.AddRange(endpoint.Addresses.Select(a => new Entry(a.Network, identity, IsEndpoint: true)));
        }
    }

    /// <summary>The identity of <paramref name="address"/> and a clause saying why.</summary>
    public PeerMatch Find(IPAddress address)
    {
        Entry? best = null;
        foreach (Entry entry in _entries)
        {
            if (!entry.Network.Contains(address))
            {
                continue;
            }

            // Longest prefix wins; at equal length (an endpoint address also listed as a host
            // address of an identity) the endpoint's own identity wins: the address is on this host.
            if (best is null || entry.Network.PrefixLength > best.Network.PrefixLength ||
                (entry.Network.PrefixLength == best.Network.PrefixLength && entry.IsEndpoint && !best.IsEndpoint))
            {
                best = entry;
            }
        }

        if (best is null)
        {
            return new PeerMatch(_world, $"'world': no identity's address or prefix covers {address}");
        }

        string written = new AddressEntry(best.Network, default).ToString();
        string why = best.IsEndpoint
            ? $"'{best.Identity.Name}': {address} is an address of that identity's endpoint on this host"
            : best.Network.PrefixLength == (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                ? $"'{best.Identity.Name}': its address {written} is exactly {address}"
                : $"'{best.Identity.Name}': its prefix {written} is the longest that covers {address}";
        return new PeerMatch(best.Identity, why);
    }

    private sealed record Entry(IPNetwork Network, IdentityDefinition Identity, bool IsEndpoint);
}

/// <summary>A peer's identity and the clause that says how it was found.</summary>
internal sealed record PeerMatch(IdentityDefinition Identity, string Why);
