using Microseg.Datapath.Abi;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Turns rules, boundaries and management entries into contributions on the plans of the
/// local identities they reach. Ids follow <see cref="PolicyCompiler"/>'s numbering.
/// </summary>
internal sealed class PlanBuilder(
    PolicyDocument document,
    IdentityTable identities,
    SelectorIndex index,
    ISet<int> locals,
    Dictionary<(int Local, Direction Direction), LocalPlan> plans)
{
    private static readonly Direction[] BothDirections = [Direction.Ingress, Direction.Egress];

    /// <summary>Per local identity (index), the rules (indexes, ascending) whose 'local' selects it, as added.</summary>
    public Dictionary<int, List<int>> RulesByLocal { get; } = [];

    public void AddAll()
    {
        for (int r = 0; r < document.Rules.Count; r++)
        {
            AddRule(r);
        }

        AddBoundariesAndManagement();
    }

    /// <summary>The rules at <paramref name="ruleIndexes"/> (ascending), then every boundary and management entry.</summary>
    public void AddSome(IEnumerable<int> ruleIndexes)
    {
        foreach (int r in ruleIndexes)
        {
            AddRule(r);
        }

        AddBoundariesAndManagement();
    }

    private void AddBoundariesAndManagement()
    {
        uint id = (uint)document.Rules.Count + 1;
        foreach (Boundary boundary in document.Boundaries)
        {
            AddBoundary(boundary, id++);
        }

        for (int m = 0; m < document.Management.Count; m++)
        {
            AddManagement(document.Management[m], identities.ManagementSources[m], id++);
        }
    }

    private void AddRule(int ruleIndex)
    {
        PolicyRule rule = document.Rules[ruleIndex];
        uint id = (uint)ruleIndex + 1;
        IReadOnlyList<int> local = index.Select(rule.Local, locals);
        if (local.Count == 0)
        {
            return;
        }

        foreach (int l in local)
        {
            if (!RulesByLocal.TryGetValue(l, out List<int>? list))
            {
                RulesByLocal[l] = list = [];
            }

            list.Add(ruleIndex);
        }

        IReadOnlyList<int> peers = index.Select(rule.Peer);
        if (peers.Count == 0)
        {
            return;
        }

        IReadOnlyList<Model.PortRange> ports = rule.Protocol is Protocol.Icmp or Protocol.IcmpV6 ? rule.IcmpTypes : rule.Ports;
        bool deny = rule.Action == Model.RuleAction.Deny;
        var contribution = new Contribution(id, deny ? Contribution.DenyRank : Contribution.AllowRank,
            deny ? RuleActionKind.Deny : RuleActionKind.Allow, Intervals(ports));
        Direction direction = rule.Direction;
        foreach (int l in local)
        {
            AddToPeers(Plan(l, direction), peers, (byte)rule.Protocol, contribution);
        }
    }

    private void AddBoundary(Boundary boundary, uint id)
    {
        var contribution = new Contribution(id, Contribution.BoundaryRank, RuleActionKind.Deny, null);
        IReadOnlyList<int> between = index.Select(boundary.Between);
        IReadOnlyList<int> and = index.Select(boundary.And);
        foreach ((IReadOnlyList<int> side, IReadOnlyList<int> other) in new[] { (between, and), (and, between) })
        {
            if (other.Count == 0)
            {
                continue;
            }

            foreach (int l in side)
            {
                if (!locals.Contains(l))
                {
                    continue;
                }

                foreach (Direction direction in BothDirections)
                {
                    AddToPeers(Plan(l, direction), other, AbiConstants.ProtocolAny, contribution);
                }
            }
        }
    }

    private void AddManagement(ManagementAccess access, List<uint> sources, uint id)
    {
        if (sources.Count == 0)
        {
            return;
        }

        IReadOnlyList<int> local = index.Select(access.Local, locals);
        var contribution = new Contribution(id, Contribution.ManagementRank, RuleActionKind.Allow, Intervals(access.Ports));
        foreach (int l in local)
        {
            LocalPlan plan = Plan(l, Direction.Ingress);
            foreach (uint source in sources)
            {
                plan.AddPeer(source, (byte)access.Protocol, contribution);
            }
        }
    }

    // A selection of every identity goes to the wildcard key; otherwise each selected identity
    // and the management-source identities that inherit its rules.
    private void AddToPeers(LocalPlan plan, IReadOnlyList<int> peers, byte protocol, Contribution contribution)
    {
        if (index.IsEverything(peers))
        {
            plan.AddAll(protocol, contribution);
            return;
        }

        foreach (int p in peers)
        {
            plan.AddPeer(identities.KernelIds[p], protocol, contribution);
            foreach (uint derived in identities.Derived[p])
            {
                plan.AddPeer(derived, protocol, contribution);
            }
        }
    }

    private LocalPlan Plan(int local, Direction direction)
    {
        if (!plans.TryGetValue((local, direction), out LocalPlan? plan))
        {
            plan = new LocalPlan();
            plans[(local, direction)] = plan;
        }

        return plan;
    }

    private static IReadOnlyList<(int First, int Last)>? Intervals(IReadOnlyList<Model.PortRange> ports) =>
        ports.Count == 0 ? null : ports.Select(p => (p.First, p.Last)).ToArray();
}
