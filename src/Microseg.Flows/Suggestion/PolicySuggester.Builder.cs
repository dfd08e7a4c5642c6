using System.Net;
using AbiConstants = Microseg.Datapath.Abi.AbiConstants;
using Microseg.Flows.Discovery;
using Microseg.Flows.Export;
using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;
using PortRange = Microseg.Policy.Model.PortRange;

namespace Microseg.Flows.Suggestion;

public static partial class PolicySuggester
{
    /// <summary>The policy being built: identities and endpoints made as edges are placed, then one rule per group.</summary>
    private sealed class Builder
    {
        private readonly DiscoveryGraph _graph;
        private readonly PolicyDocument? _current;
        private readonly bool _merge;
        private readonly PolicyDefaults _defaults;
        private readonly List<IdentityDefinition> _identities;
        private readonly List<LocalEndpoint> _endpoints;
        private readonly HashSet<IPNetwork> _identityAddresses;
        private readonly HashSet<IPAddress> _endpointAddresses;
        private readonly Dictionary<string, string> _nameOf = new(StringComparer.Ordinal);
        private readonly HashSet<EdgeKey> _placed = [];

        public Builder(DiscoveryGraph graph, PolicyDocument? current, bool merge)
        {
            _graph = graph;
            _current = current;
            _merge = merge;
            _defaults = merge ? current!.Defaults : new PolicyDefaults(EndpointMode.Monitor, RuleAction.Deny, RuleAction.Deny, Here);
            _identities = [.. current?.Identities ?? []];
            _endpoints = merge
                ? [.. current!.Endpoints]
                : (current?.Endpoints ?? []).Select(e => e with { Mode = _defaults.Mode, Ingress = RuleAction.Deny, Egress = RuleAction.Deny }).ToList();
            _identityAddresses = _identities.SelectMany(i => i.Addresses).Select(a => a.Network).ToHashSet();
            _endpointAddresses = _endpoints.SelectMany(e => e.Addresses).Select(a => a.Network.BaseAddress).ToHashSet();
        }

        public List<string> AddedIdentities { get; } = [];

        public bool IsPlaced(DiscoveryEdge edge) => _placed.Contains(edge.Key);

        /// <summary>Makes sure both ends of <paramref name="edge"/> are identities and its local end an endpoint.</summary>
        public bool Place(DiscoveryEdge edge, out string? problem)
        {
            if (Resolve(edge.Key.Local, out problem) is not { } local || Resolve(edge.Key.Peer, out problem) is null)
            {
                return false;
            }

            if (!_endpoints.Any(e => e.Identity == local))
            {
                List<AddressEntry> addresses = (_graph.Node(edge.Key.Local)?.LocalAddresses ?? [])
                    .Where(a => !_endpointAddresses.Contains(a.ToIPAddress()))
                    .OrderBy(a => a.ToString(), StringComparer.Ordinal).Select(Host).ToList();
                if (addresses.Count == 0)
                {
                    problem = $"no local address of '{edge.Key.Local}' was observed that is not already another endpoint's";
                    return false;
                }

                _endpoints.Add(new LocalEndpoint(local, addresses, _defaults.Mode, _defaults.Ingress, _defaults.Egress, Here, Here));
                _endpointAddresses.UnionWith(addresses.Select(a => a.Network.BaseAddress));
            }

            _placed.Add(edge.Key);
            return true;
        }

        private string? Resolve(string node, out string? problem)
        {
            problem = null;
            if (_nameOf.TryGetValue(node, out string? known))
            {
                return known;
            }

            string name;
            if (node is IdentityDefinition.HostName or IdentityDefinition.WorldName || _identities.Any(i => i.Name == node))
            {
                name = node;
            }
            else
            {
                name = IdentityName(node);
                if (!_identities.Any(i => i.Name == name))
                {
                    DiscoveryNode? observed = _graph.Node(node);
                    List<AddressEntry> addresses = observed?.WorldGroup is { } group
                        ? [Entry(IPNetwork.Parse(group))]
                        : (observed?.RemoteAddresses ?? []).OrderBy(a => a.ToString(), StringComparer.Ordinal).Select(Host).ToList();
                    addresses = addresses.Where(a => !_identityAddresses.Contains(a.Network)).ToList();
                    if (addresses.Count == 0 && (observed?.LocalAddresses.Count ?? 0) == 0)
                    {
                        problem = $"no address of '{node}' was observed that another identity does not already hold";
                        return null;
                    }

                    _identities.Add(new IdentityDefinition(name, new Dictionary<string, string>(), addresses, Here));
                    _identityAddresses.UnionWith(addresses.Select(a => a.Network));
                    AddedIdentities.Add(name);
                }
            }

            _nameOf[node] = name;
            return name;
        }

        /// <summary>One allow rule per (local, peer, direction, protocol) of the placed edges.</summary>
        public List<SuggestedRule> Rules(IEnumerable<DiscoveryEdge> edges)
        {
            List<IdentityDefinition> all = [IdentityDefinition.Reserved(IdentityDefinition.HostName), IdentityDefinition.Reserved(IdentityDefinition.WorldName), .. _identities];
            var names = new HashSet<string>(
                (_merge ? _current!.Rules.Select(r => r.Name).Concat(_current.Boundaries.Select(b => b.Name)) : [])
                    .Concat((_current?.Management ?? []).Select(m => m.Name)),
                StringComparer.Ordinal);
            var rules = new List<SuggestedRule>();
            foreach (var group in edges
                .GroupBy(e => (Local: _nameOf[e.Key.Local], Peer: _nameOf[e.Key.Peer], e.Key.Direction, e.Key.Protocol))
                .OrderBy(g => g.Key.Local, StringComparer.Ordinal).ThenBy(g => g.Key.Direction).ThenBy(g => g.Key.Peer, StringComparer.Ordinal).ThenBy(g => g.Key.Protocol))
            {
                var (local, peer, direction, protocol) = group.Key;
                List<DiscoveryEdge> members = group.OrderBy(e => e.Key.Port).ToList();
                List<PortRange> ranges = PortRanges.Merge(members.Select(e => (int)e.Key.Port), AbiConstants.MaxPortRanges, out int widened);
                bool ports = FlowText.HasPorts(protocol);
                string name = UniqueName($"{local}-{(direction == Direction.Ingress ? "from" : "to")}-{peer}-{FlowText.Protocol(protocol)}", names);
                var rule = new PolicyRule(name, RuleAction.Allow, direction, IdentitySelectors.For(local, all), IdentitySelectors.For(peer, all),
                    (Protocol)protocol, ports ? ranges : [], ports ? [] : ranges, Here);
                rules.Add(new SuggestedRule(rule, Comment(members, widened), (ulong)members.Sum(e => (decimal)e.Wanted), widened));
            }

            return rules;
        }

        public PolicyDocument Document(IEnumerable<PolicyRule> added) => new(
            _defaults,
            _identities,
            _endpoints,
            [.. _merge ? _current!.Rules : [], .. added],
            _merge ? _current!.Boundaries : [],
            _current?.Management ?? [],
            _current?.ManagementDeclared ?? false,
            ["suggested.yaml"]);

        private static string Comment(List<DiscoveryEdge> members, int widened)
        {
            EdgeKey first = members[0].Key;
            ulong allowed = (ulong)members.Sum(e => (decimal)e.Allowed);
            ulong wouldDeny = (ulong)members.Sum(e => (decimal)e.WouldDeny);
            string services = string.Join(", ", members.Select(e => $"{e.Key.Service} ×{e.Wanted}"));
            string text = $"{first.From} -> {first.To}: {services}; {allowed + wouldDeny} flow(s) ({allowed} allowed, {wouldDeny} would deny), " +
                $"first seen {TextTable.Time(members.Min(e => e.FirstSeen))}, last seen {TextTable.Time(members.Max(e => e.LastSeen))}";
            return widened > 0
                ? text + $"\nthe ranges also allow {widened} value(s) never observed, to fit the kernel's {AbiConstants.MaxPortRanges} ranges"
                : text;
        }

        private static string UniqueName(string wanted, HashSet<string> taken)
        {
            string name = wanted.Length > 60 ? wanted[..60].TrimEnd('-') : wanted;
            string candidate = name;
            for (int n = 2; !taken.Add(candidate); n++)
            {
                candidate = $"{name}-{n}";
            }

            return candidate;
        }
    }
}
