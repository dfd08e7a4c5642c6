using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;
using PortRange = Microseg.Policy.Model.PortRange;

namespace Microseg.Flows.Exposure;

/// <summary>
/// How much of the estate each identity can reach under a policy, against a flat network where
/// everything reaches everything (docs/flows.md, "Exposure"). The estate is every identity of the
/// policy (host and world included); an ordered pair (from, to) is governed when either side has
/// an endpoint on this host. A service of a governed pair is reachable when the policy allows the
/// flow's first packet at every endpoint of this host it crosses: ingress at the target's
/// endpoint, egress at the source's. The policy is read as enforced (modes are ignored: the
/// number measures the policy as written) and management access is left out (it is granted to
/// admin addresses, not identities). An identity with several endpoints is reachable on a
/// service when any of them admits it.
/// </summary>
public static class ExposureCalculator
{
    public static ExposureReport Compute(PolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        List<IdentityDefinition> identities = policy.AllIdentities.ToList();
        var local = policy.Endpoints.Select(e => e.Identity).ToHashSet(StringComparer.Ordinal);
        var pairs = new List<ExposurePair>();
        foreach (IdentityDefinition from in identities)
        {
            foreach (IdentityDefinition to in identities.Where(to => local.Contains(from.Name) || local.Contains(to.Name)))
            {
                bool[] tcp = Reachable(policy, from, to, FlowText.Tcp, local);
                bool[] udp = Reachable(policy, from, to, FlowText.Udp, local);
                pairs.Add(new ExposurePair(from.Name, to.Name, tcp.Count(b => b), udp.Count(b => b),
                    Reachable(policy, from, to, FlowText.Icmp, local)[0], Reachable(policy, from, to, FlowText.IcmpV6, local)[0],
                    Reachable(policy, from, to, 0, local)[0]));
            }
        }

        List<IdentityExposure> perIdentity = identities.Select(i =>
        {
            List<ExposurePair> outgoing = pairs.Where(p => p.From == i.Name).ToList();
            List<ExposurePair> incoming = pairs.Where(p => p.To == i.Name).ToList();
            return new IdentityExposure(i.Name,
                outgoing.Sum(p => p.Reachable), outgoing.Count * ExposurePair.ServicesPerPair,
                incoming.Sum(p => p.Reachable), incoming.Count * ExposurePair.ServicesPerPair,
                outgoing.Count(p => p.Reachable > 0), incoming.Count(p => p.Reachable > 0));
        }).ToList();
        return new ExposureReport(pairs, perIdentity);
    }

    // The values of a protocol class: tcp/udp ports 1–65535; the echo request type for icmp
    // (8) and icmpv6 (128); a single value for other protocols.
    private static int[] Domain(byte protocol) => protocol switch
    {
        FlowText.Tcp or FlowText.Udp => Enumerable.Range(1, 65535).ToArray(),
        FlowText.Icmp => [8],
        FlowText.IcmpV6 => [128],
        _ => [0],
    };

    private static bool[] Reachable(PolicyDocument policy, IdentityDefinition from, IdentityDefinition to, byte protocol, HashSet<string> local)
    {
        int[] domain = Domain(protocol);
        bool[] result = Enumerable.Repeat(true, domain.Length).ToArray();
        if (local.Contains(to.Name))
        {
            And(result, Admitted(policy, to, from, Direction.Ingress, protocol, domain));
        }

        if (local.Contains(from.Name))
        {
            And(result, Admitted(policy, from, to, Direction.Egress, protocol, domain));
        }

        return result;
    }

    /// <summary>Values some endpoint of <paramref name="endpoint"/> admits from or to <paramref name="peer"/> in <paramref name="direction"/>.</summary>
    private static bool[] Admitted(PolicyDocument policy, IdentityDefinition endpoint, IdentityDefinition peer, Direction direction, byte protocol, int[] domain)
    {
        bool[] admitted = new bool[domain.Length];
        if (policy.Boundaries.Any(b => b.Separates(endpoint, peer)))
        {
            return admitted;
        }

        List<PolicyRule> matching = policy.Rules
            .Where(r => r.Direction == direction && r.Local.Matches(endpoint) && r.Peer.Matches(peer) && (r.Protocol == Protocol.Any || (byte)r.Protocol == protocol))
            .ToList();
        foreach (LocalEndpoint e in policy.Endpoints.Where(e => e.Identity == endpoint.Name))
        {
            RuleAction fallback = direction == Direction.Ingress ? e.Ingress : e.Egress;
            for (int i = 0; i < domain.Length; i++)
            {
                bool denied = matching.Any(r => r.Action == RuleAction.Deny && Covers(r, protocol, domain[i]));
                bool allowed = fallback == RuleAction.Allow || matching.Any(r => r.Action == RuleAction.Allow && Covers(r, protocol, domain[i]));
                admitted[i] |= allowed && !denied;
            }
        }

        return admitted;
    }

    private static bool Covers(PolicyRule rule, byte protocol, int value)
    {
        IReadOnlyList<PortRange> ranges = FlowText.HasPorts(protocol) ? rule.Ports : FlowText.IsIcmp(protocol) ? rule.IcmpTypes : [];
        return ranges.Count == 0 || ranges.Any(r => r.First <= value && value <= r.Last);
    }

    private static void And(bool[] into, bool[] other)
    {
        for (int i = 0; i < into.Length; i++)
        {
            into[i] &= other[i];
        }
    }
}
