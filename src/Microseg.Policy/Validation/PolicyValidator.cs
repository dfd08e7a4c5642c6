using System.Net.Sockets;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Validation;

/// <summary>
/// The checks that need the whole policy: names, addresses and identities across files, what
/// selectors select, and rules that can never match. Structural problems were found by the loader.
/// </summary>
/// <remarks>
/// Linear in the size of the policy: selectors are answered by a <see cref="SelectorIndex"/>,
/// endpoints and boundaries are looked up in tables built once, never scanned per rule.
/// </remarks>
internal sealed class PolicyValidator(DiagnosticBag bag, PolicyDocument document)
{
    private readonly SelectorIndex _index = new(document.AllIdentities.ToList());
    private readonly HashSet<string> _identityNames = [.. document.AllIdentities.Select(i => i.Name)];

    // Identity name -> the address families of the endpoints of that identity here.
    private readonly Dictionary<string, (bool V4, bool V6)> _endpointFamilies = EndpointFamilies(document);

    // By selector index: whether the identity has an endpoint here (asked for every identity
    // every rule's 'local' selects); built on first use, before the rules are checked in parallel.
    private bool[]? _hasEndpoint;

    // The warning for a 'local' that selects only other hosts' identities: the usual case for
    // most rules of a fleet-wide policy, so one string for all of them.
    private const string NoLocalEndpoint = "'local' selects no identity with an endpoint on this host";

    // Per boundary (document order), which identities (by index) are on each side; built on first use.
    private (bool[] Between, bool[] And)[]? _sides;

    public void Validate()
    {
        CheckIdentities();
        CheckEndpoints();
        CheckNames();
        CheckRules();

        foreach (Boundary boundary in document.Boundaries)
        {
            CheckBoundary(boundary);
        }

        foreach (ManagementAccess access in document.Management)
        {
            // The default 'local' (every endpoint) is not the user's selector; only check a written one.
            if (!access.Local.Any)
            {
                LocalIdentities(access.Local, bag);
            }

            CheckManagementPorts(access);
        }

        CheckManagementPresent();
    }

    private void CheckIdentities()
    {
        var byName = new Dictionary<string, IdentityDefinition>();
        var byAddress = new Dictionary<System.Net.IPNetwork, IdentityDefinition>();
        foreach (IdentityDefinition identity in document.Identities)
        {
            if (!byName.TryAdd(identity.Name, identity))
            {
                bag.Error(identity.Position, $"duplicate identity '{identity.Name}': first defined at {byName[identity.Name].Position}");
            }

            foreach (AddressEntry address in identity.Addresses)
            {
                if (!byAddress.TryAdd(address.Network, identity))
                {
                    IdentityDefinition owner = byAddress[address.Network];
                    AddressEntry first = owner.Addresses.First(a => a.Network.Equals(address.Network));
                    bag.Error(address.Position, $"address {address} is already in identity '{owner.Name}' at {first.Position}",
                        "an address belongs to one identity; give the shared workloads an identity of their own");
                }
            }
        }
    }

    private void CheckEndpoints()
    {
        var byAddress = new Dictionary<System.Net.IPAddress, LocalEndpoint>();
        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            if (endpoint.Identity == IdentityDefinition.WorldName)
            {
                bag.Error(endpoint.IdentityPosition, "an endpoint cannot be 'world': world is every address no identity claims");
            }
            else
            {
                KnownIdentity(endpoint.Identity, endpoint.IdentityPosition, bag);
            }

            foreach (AddressEntry address in endpoint.Addresses)
            {
                if (!byAddress.TryAdd(address.Network.BaseAddress, endpoint))
                {
                    bag.Error(address.Position, $"local address {address} already belongs to the endpoint at {byAddress[address.Network.BaseAddress].Position}");
                }
            }
        }
    }

    // Rules, boundaries and management entries share one namespace: their names are what events
    // and metrics show, so each must say which one acted.
    private void CheckNames()
    {
        var seen = new Dictionary<string, (string Kind, SourcePosition At)>();
        IEnumerable<(string Name, string Kind, SourcePosition At)> all =
            document.Rules.Select(r => (r.Name, "rule", r.Position))
                .Concat(document.Boundaries.Select(b => (b.Name, "boundary", b.Position)))
                .Concat(document.Management.Select(m => (m.Name, "management entry", m.Position)));
        foreach ((string name, string kind, SourcePosition at) in all)
        {
            if (!seen.TryAdd(name, (kind, at)))
            {
                bag.Error(at, $"duplicate name '{name}': already used by the {seen[name].Kind} at {seen[name].At}",
                    "names appear in events and metrics, so each must be unique");
            }
        }
    }

    // Rules are checked in parallel, each chunk into a bag of its own, then the bags are merged
    // in order: the same diagnostics in the same order as checking one rule after another.
    private void CheckRules()
    {
        const int ChunkSize = 4096;
        // Built lazily otherwise; built here before the threads share them.
        HasEndpoint();
        if (document.Boundaries.Count > 0)
        {
            BoundarySides();
        }

        IReadOnlyList<PolicyRule> rules = document.Rules;
        var bags = new DiagnosticBag[(rules.Count + ChunkSize - 1) / ChunkSize];
        Parallel.For(0, bags.Length, chunk =>
        {
            var into = new DiagnosticBag();
            for (int r = chunk * ChunkSize; r < Math.Min(rules.Count, (chunk + 1) * ChunkSize); r++)
            {
                CheckRule(rules[r], into);
            }

            bags[chunk] = into;
        });
        foreach (DiagnosticBag chunk in bags)
        {
            bag.AddFrom(chunk);
        }
    }

    private void CheckRule(PolicyRule rule, DiagnosticBag into)
    {
        IReadOnlyList<int>? locals = LocalIdentities(rule.Local, into);
        IReadOnlyList<int>? peers = Selected(rule.Peer, "'peer'", into);
        if (locals is null || peers is null || locals.Count == 0 || peers.Count == 0)
        {
            return;
        }

        if (rule.Protocol is Protocol.Icmp or Protocol.IcmpV6)
        {
            bool v4 = rule.Protocol == Protocol.Icmp;
            bool any = locals.Any(l => _endpointFamilies.TryGetValue(_index[l].Name, out (bool V4, bool V6) families) && (v4 ? families.V4 : families.V6));
            if (!any)
            {
                (string protocol, string has, string other) = rule.Protocol == Protocol.Icmp ? ("icmp", "IPv4", "IPv6") : ("icmpv6", "IPv6", "IPv4");
                into.Error(rule.Position, $"'{rule.Name}' can never match: {protocol} is {has}, but the endpoints it selects have only {other} addresses",
                    $"use 'protocol: {(rule.Protocol == Protocol.Icmp ? "icmpv6" : "icmp")}'");
            }
        }

        if (rule.Action == RuleAction.Allow && document.Boundaries.Count > 0)
        {
            (bool[] Between, bool[] And)[] sides = BoundarySides();
            // A boundary separates some pair when one side has a local and the other a peer.
            List<int> separating = Enumerable.Range(0, sides.Length)
                .Where(b => (locals.Any(l => sides[b].Between[l]) && peers.Any(p => sides[b].And[p]))
                    || (locals.Any(l => sides[b].And[l]) && peers.Any(p => sides[b].Between[p])))
                .ToList();
            bool allSeparated = locals.All(l => peers.All(p => separating.Any(b =>
                (sides[b].Between[l] && sides[b].And[p]) || (sides[b].And[l] && sides[b].Between[p]))));
            if (allSeparated && separating.Count > 0)
            {
                string which = separating.Count == 1
                    ? $"boundary '{document.Boundaries[separating[0]].Name}' separates"
                    : $"boundaries {string.Join(", ", separating.Select(b => $"'{document.Boundaries[b].Name}'"))} separate";
                into.Warning(rule.Position, $"allow rule '{rule.Name}' can never allow anything: {which} every pair of identities it selects",
                    "boundaries beat every allow rule (see Precedence in docs/policy.md)");
            }
        }
    }

    private void CheckBoundary(Boundary boundary)
    {
        IReadOnlyList<int>? between = Selected(boundary.Between, "'between'", bag);
        IReadOnlyList<int>? and = Selected(boundary.And, "'and'", bag);
        if (between is null || and is null)
        {
            return;
        }

        var andSet = new HashSet<int>(and);
        foreach (int both in between.Distinct().Where(andSet.Contains))
        {
            bag.Error(boundary.Position, $"identity '{_index[both].Name}' is on both sides of boundary '{boundary.Name}'",
                "a boundary separates two disjoint groups; narrow 'between' or 'and'");
        }
    }

    // Management beats every deny and nothing can cut it: without ports, udp or any opens every
    // port (only tcp defaults to 22), which is rarely what "management" meant.
    private void CheckManagementPorts(ManagementAccess access)
    {
        if (access.Ports.Count == 0 && access.Protocol is Protocol.Udp or Protocol.Tcp or Protocol.Any)
        {
            string opened = access.Protocol == Protocol.Any ? "every port of every protocol" : $"every {Loading.Vocabulary.Name(access.Protocol)} port";
            bag.Warning(access.Position, $"management entry '{access.Name}' opens {opened} of the endpoints it reaches to its 'from' addresses, and no rule, boundary or mode can cut it",
                "list the ports it needs (for example ports: [161] for SNMP); only tcp defaults to port 22");
        }
    }

    private void CheckManagementPresent()
    {
        LocalEndpoint? enforcing = document.Endpoints.FirstOrDefault(e => e.Mode == EndpointMode.Enforce && e.Ingress == RuleAction.Deny);
        if (enforcing is not null && !document.ManagementDeclared)
        {
            bag.Warning(enforcing.Position, "this endpoint enforces a default-deny ingress and no management access is declared",
                "add a 'management' entry (for example SSH from an admin CIDR), or write 'management: []' to have none on purpose");
        }
    }

    /// <summary>The identities (indexes, ascending) a selector selects; null when it names an unknown identity (reported).</summary>
    private IReadOnlyList<int>? Selected(Selector selector, string what, DiagnosticBag into)
    {
        if (selector.Identity is not null && !KnownIdentity(selector.Identity, selector.Position, into))
        {
            return null;
        }

        IReadOnlyList<int> selected = _index.Select(selector);
        if (selected.Count == 0)
        {
            into.Warning(selector.Position, $"{what} selects no identity", "check the label keys and values against the identities");
        }

        return selected;
    }

    /// <summary>Like <see cref="Selected"/> for a 'local' selector, keeping only identities that have an endpoint here.</summary>
    private IReadOnlyList<int>? LocalIdentities(Selector selector, DiagnosticBag into)
    {
        IReadOnlyList<int>? selected = Selected(selector, "'local'", into);
        if (selected is null || selected.Count == 0)
        {
            return selected;
        }

        bool[] hasEndpoint = HasEndpoint();
        var local = new List<int>();
        for (int i = 0; i < selected.Count; i++)
        {
            if (hasEndpoint[selected[i]])
            {
                local.Add(selected[i]);
            }
        }

        if (local.Count == 0)
        {
            into.Warning(selector.Position, NoLocalEndpoint, "add an 'endpoints' entry for the identity, or check the selector");
        }

        return local;
    }

    private bool KnownIdentity(string name, SourcePosition at, DiagnosticBag into)
    {
        if (_identityNames.Contains(name))
        {
            return true;
        }

        string? close = Suggestions.Closest(name, _identityNames);
        into.Error(at, $"unknown identity '{name}'", close is not null ? $"did you mean '{close}'?" : "declare it under 'identities'");
        return false;
    }

    private bool[] HasEndpoint()
    {
        if (_hasEndpoint is null)
        {
            bool[] has = new bool[_index.Count];
            for (int i = 0; i < has.Length; i++)
            {
                has[i] = _endpointFamilies.ContainsKey(_index[i].Name);
            }

            _hasEndpoint = has;
        }

        return _hasEndpoint;
    }

    private (bool[] Between, bool[] And)[] BoundarySides() =>
        _sides ??= document.Boundaries.Select(b => (Side(b.Between), Side(b.And))).ToArray();

    private bool[] Side(Selector selector)
    {
        bool[] side = new bool[_index.Count];
        foreach (int i in _index.Select(selector))
        {
            side[i] = true;
        }

        return side;
    }

    private static Dictionary<string, (bool V4, bool V6)> EndpointFamilies(PolicyDocument document)
    {
        var families = new Dictionary<string, (bool V4, bool V6)>(StringComparer.Ordinal);
        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            (bool v4, bool v6) = families.GetValueOrDefault(endpoint.Identity);
            foreach (AddressEntry address in endpoint.Addresses)
            {
                v4 |= address.Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
                v6 |= address.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
            }

            families[endpoint.Identity] = (v4, v6);
        }

        return families;
    }
}
