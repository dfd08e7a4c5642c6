using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Kernel identity numbers and the remote address table. Numbering: world 1, host 2, declared
/// identities from 256 in ordinal order of name (so the order identities are written in never
/// changes the image), then one number per (identity, set of management entries) that some
/// management source address needs, ordered by that pair.
/// </summary>
/// <remarks>
/// Management sources need numbers of their own because the kernel knows one identity per
/// remote address: an admin address keeps every rule of the identity that owns it (by longest
/// prefix, <c>world</c> when none) and adds the management access. For every prefix written
/// anywhere (identities, endpoints, management), the owner is the longest identity or endpoint
/// prefix containing it and the management set those of the management prefixes containing
/// it; the longest-prefix lookup then finds, for any address, exactly the owner and the
/// management entries the policy gives it.
/// </remarks>
internal sealed class IdentityTable
{
    private readonly List<CompiledIdentity> _compiled = [];
    private readonly Dictionary<IPNetwork, (uint Identity, SourcePosition Position)> _remote = [];

    public IdentityTable(PolicyDocument document)
    {
        Selectable = document.AllIdentities.ToList();
        KernelIds = new uint[Selectable.Count];
        Derived = new List<uint>[Selectable.Count];
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Selectable.Count; i++)
        {
            byName.TryAdd(Selectable[i].Name, i);
            Derived[i] = [];
        }

        KernelIds[byName[IdentityDefinition.WorldName]] = AbiConstants.IdentityWorld;
        KernelIds[byName[IdentityDefinition.HostName]] = AbiConstants.IdentityHost;
        uint next = AbiConstants.IdentityFirstUser;
        foreach (int i in Enumerable.Range(0, Selectable.Count).Where(i => !Selectable[i].IsReserved)
                     .OrderBy(i => Selectable[i].Name, StringComparer.Ordinal))
        {
            KernelIds[i] = next++;
        }

        IndexOf = byName;
        ManagementSources = new List<uint>[document.Management.Count];
        for (int m = 0; m < ManagementSources.Length; m++)
        {
            ManagementSources[m] = [];
        }

        BuildRemoteTable(document, ref next);
    }

    /// <summary>Everything a selector can select: host, world, then declared identities in file order.</summary>
    public IReadOnlyList<IdentityDefinition> Selectable { get; }

    /// <summary>Kernel identity of each selectable identity, by index.</summary>
    public uint[] KernelIds { get; }

    /// <summary>Index of a selectable identity by name.</summary>
    public IReadOnlyDictionary<string, int> IndexOf { get; }

    /// <summary>Per selectable identity: the management-source identities that carry its rules too.</summary>
    public List<uint>[] Derived { get; }

    /// <summary>Per management entry (file order): the kernel identities of its sources.</summary>
    public List<uint>[] ManagementSources { get; }

    /// <summary>Every kernel identity, by id.</summary>
    public IReadOnlyList<CompiledIdentity> Compiled => _compiled;

    /// <summary>Writes the remote host and prefix entries into <paramref name="image"/>.</summary>
    public void Fill(SlotImage image)
    {
        foreach ((IPNetwork network, (uint identity, _)) in _remote)
        {
            IpAddress16 address = IpAddress16.From(network.BaseAddress);
            if (IsHost(network))
            {
                image.RemoteHosts[address] = identity;
            }
            else
            {
                image.RemotePrefixes[new RemotePrefix(address, (byte)network.PrefixLength)] = identity;
            }
        }
    }

    /// <summary>Where each remote host (true) or prefix (false) entry was written, for capacity messages.</summary>
    public IEnumerable<SourcePosition> Positions(bool hosts) =>
        _remote.Where(e => IsHost(e.Key) == hosts).Select(e => e.Value.Position);

    private void BuildRemoteTable(PolicyDocument document, ref uint next)
    {
        // Identity and endpoint prefixes: the owner of each. An endpoint's address belongs to
        // its identity even when another identity's prefix (or host entry) covers it.
        var owners = new Dictionary<IPNetwork, (int Owner, SourcePosition Position)>();
        foreach (IdentityDefinition identity in document.Identities)
        {
            foreach (AddressEntry address in identity.Addresses)
            {
                owners.TryAdd(address.Network, (IndexOf[identity.Name], address.Position));
            }
        }

        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            if (!IndexOf.TryGetValue(endpoint.Identity, out int owner))
            {
                continue;
            }

            foreach (AddressEntry address in endpoint.Addresses)
            {
                owners[address.Network] = (owner, address.Position);
            }
        }

        var management = new List<(IPNetwork Network, int Entry, SourcePosition Position)>();
        for (int m = 0; m < document.Management.Count; m++)
        {
            foreach (AddressEntry address in document.Management[m].From)
            {
                management.Add((address.Network, m, address.Position));
            }
        }

        var written = new Dictionary<IPNetwork, (int Owner, SortedSet<int> Entries, SourcePosition Position)>();
        foreach ((IPNetwork network, (int owner, SourcePosition position)) in owners)
        {
            written[network] = (owner, [], position);
        }

        foreach ((IPNetwork network, int _, SourcePosition position) in management)
        {
            if (!written.ContainsKey(network))
            {
                written[network] = (LongestOwner(network, owners), [], position);
            }
        }

        if (management.Count > 0)
        {
            foreach ((IPNetwork network, (int _, SortedSet<int> entries, SourcePosition _)) in written)
            {
                foreach ((IPNetwork source, int entry, SourcePosition _) in management)
                {
                    if (Contains(source, network))
                    {
                        entries.Add(entry);
                    }
                }
            }
        }

        // Numbers for (owner, management set), in a fixed order.
        var derived = written.Values.Where(w => w.Entries.Count > 0)
            .Select(w => (w.Owner, Key: string.Join(",", w.Entries)))
            .Distinct()
            .OrderBy(d => Selectable[d.Owner].Name, StringComparer.Ordinal)
            .ThenBy(d => d.Key, StringComparer.Ordinal)
            .ToList();
        var derivedIds = new Dictionary<(int, string), uint>();
        var derivedAddresses = new Dictionary<uint, List<string>>();
        foreach ((int owner, string key) in derived)
        {
            uint id = next++;
            derivedIds[(owner, key)] = id;
            Derived[owner].Add(id);
            derivedAddresses[id] = [];
            foreach (int entry in key.Split(',').Select(int.Parse))
            {
                ManagementSources[entry].Add(id);
            }
        }

        var ownAddresses = new Dictionary<int, List<string>>();
        foreach ((IPNetwork network, (int owner, SortedSet<int> entries, SourcePosition position)) in written)
        {
            uint id;
            if (entries.Count == 0)
            {
                id = KernelIds[owner];
                if (!ownAddresses.TryGetValue(owner, out List<string>? list))
                {
                    ownAddresses[owner] = list = [];
                }

                list.Add(Text(network));
            }
            else
            {
                id = derivedIds[(owner, string.Join(",", entries))];
                derivedAddresses[id].Add(Text(network));
            }

            _remote[network] = (id, position);
        }

        for (int i = 0; i < Selectable.Count; i++)
        {
            _compiled.Add(new CompiledIdentity(KernelIds[i], Selectable[i].Name, Sorted(ownAddresses.GetValueOrDefault(i)),
                Selectable[i].Name, []));
        }

        foreach (((int owner, string key), uint id) in derivedIds)
        {
            List<string> names = key.Split(',').Select(e => document.Management[int.Parse(e)].Name).ToList();
            _compiled.Add(new CompiledIdentity(id, $"{Selectable[owner].Name}+{string.Join("+", names)}",
                Sorted(derivedAddresses[id]), Selectable[owner].Name, names));
        }

        _compiled.Sort((a, b) => a.Id.CompareTo(b.Id));
    }

    private int LongestOwner(IPNetwork network, Dictionary<IPNetwork, (int Owner, SourcePosition Position)> owners)
    {
        int owner = IndexOf[IdentityDefinition.WorldName];
        int longest = -1;
        foreach ((IPNetwork candidate, (int who, SourcePosition _)) in owners)
        {
            if (candidate.PrefixLength > longest && Contains(candidate, network))
            {
                owner = who;
                longest = candidate.PrefixLength;
            }
        }

        return owner;
    }

    private static bool Contains(IPNetwork outer, IPNetwork inner) =>
        outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily &&
        outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.BaseAddress);

    private static bool IsHost(IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);

    private static string Text(IPNetwork network) => IsHost(network) ? network.BaseAddress.ToString() : network.ToString();

    private static List<string> Sorted(List<string>? addresses)
    {
        List<string> sorted = addresses ?? [];
        sorted.Sort(StringComparer.Ordinal);
        return sorted;
    }
}
