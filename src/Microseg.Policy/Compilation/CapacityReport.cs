using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Finds where a compiled image outgrows the maps and says so at the entry of the file where
/// it runs out: the rule whose keys pass a map's size, the address past the remote table's,
/// the rule(s) whose ports need more than 16 ranges under one key.
/// </summary>
internal sealed class CapacityReport(PolicyDocument document, IReadOnlyList<CompiledRule> rules, IdentityTable identities, DatapathCapacities capacities)
{
    private const string Prefix = "more entries than the maps hold: ";

    // For each policy key: the first rule (lowest id) that contributes to it.
    private readonly List<uint> _keyCreators = [];
    private readonly List<Diagnostic> _rangeProblems = [];
    private readonly HashSet<string> _rangeCauses = [];

    public void NoteKey(List<Contribution> contributions) => _keyCreators.Add(contributions.Min(c => c.RuleId));

    public void NoteTooManyRanges(PolicyKey key, List<PortDecision> ranges)
    {
        List<uint> causes = ranges.Select(r => r.RuleId).Distinct().Order().ToList();
        // One problem per set of rules: a wildcard rule folded into many keys says it once.
        if (!_rangeCauses.Add(string.Join(",", causes)))
        {
            return;
        }

        CompiledRule first = rules[(int)causes[0] - 1];
        string names = string.Join(", ", causes.Select(c => $"'{rules[(int)c - 1].Name}'"));
        _rangeProblems.Add(Diagnostic.At(first.Position, DiagnosticSeverity.Error,
            $"{Prefix}{Describe(key)} needs {ranges.Count} port ranges after merging, and the kernel holds {AbiConstants.MaxPortRanges} per endpoint, peer, direction and protocol",
            $"the ranges come from {names}; use fewer ranges (single ports do not count) or merge adjacent ones"));
    }

    /// <summary>Every capacity problem of <paramref name="image"/>, ordered as found.</summary>
    /// <summary>
    /// True when <see cref="Check"/> would find nothing, without gathering the positions its
    /// messages need: no key with too many ranges, and the datapath's own check passes (it
    /// counts every map and the highest rule id).
    /// </summary>
    public bool FitsWithoutCounting(SlotImage image) =>
        _rangeProblems.Count == 0 && (rules.Count == 0 || rules[^1].Id < capacities.Rules) && image.CapacityProblems(capacities).Count == 0;

    public IReadOnlyList<Diagnostic> Check(SlotImage image)
    {
        var problems = new List<Diagnostic>(_rangeProblems);
        SourcePosition start = SourcePosition.StartOf(document.Files.Count > 0 ? document.Files[0] : "policy");

        List<SourcePosition> endpoints = document.Endpoints.SelectMany(e => e.Addresses.Select(a => a.Position)).ToList();
        Check(image.Endpoints.Count, capacities.EndpointsPerSlot, "local endpoint addresses", endpoints);
        Check(image.RemoteHosts.Count, capacities.RemoteHostsPerSlot, "remote host addresses", identities.Positions(hosts: true).ToList());
        Check(image.RemotePrefixes.Count, capacities.RemotePrefixesPerSlot, "remote prefixes", identities.Positions(hosts: false).ToList());
        Check(image.Policies.Count, capacities.PolicyKeysPerSlot, "policy keys", RulePositions(_keyCreators));
        Check(image.Ports.Count, capacities.PolicyPortsPerSlot, "exact-port policy entries", RulePositions(image.Ports.Values.Select(v => v.RuleId)));
        Check(image.Ranges.Count, capacities.PolicyRangeKeysPerSlot, "port-range policy entries", RulePositions(RangeCreators(image)));

        uint highest = rules.Count == 0 ? 0 : rules[^1].Id;
        if (highest >= capacities.Rules)
        {
            CompiledRule first = rules[(int)capacities.Rules - 1];
            problems.Add(Diagnostic.At(first.Position, DiagnosticSeverity.Error,
                $"{Prefix}the policy has {rules.Count} rules, boundaries and management entries, and the rule counters hold {capacities.Rules - 1}; this is the first one past them",
                "raise the rule capacity of the datapath, or remove rules"));
        }

        // The datapath's own check is the authority; anything it finds that the checks above
        // did not is still reported, at the start of the file.
        if (problems.Count == 0)
        {
            foreach (string problem in image.CapacityProblems(capacities))
            {
                problems.Add(Diagnostic.At(start, DiagnosticSeverity.Error, Prefix + problem));
            }
        }

        return problems;

        void Check(int count, uint capacity, string what, List<SourcePosition> positions)
        {
            if (count <= capacity)
            {
                return;
            }

            SourcePosition at = positions.Count > capacity ? positions[(int)capacity] : start;
            problems.Add(Diagnostic.At(at, DiagnosticSeverity.Error,
                $"{Prefix}the policy needs {count} {what} and the datapath holds {capacity}; they run out here",
                "raise the map sizes of the datapath, or narrow the selectors that reach this host's endpoints"));
        }
    }

    // Positions of the given rules, sorted in rule order: the (capacity + 1)-th is where a map runs out.
    private List<SourcePosition> RulePositions(IEnumerable<uint> ruleIds) =>
        ruleIds.Order().Select(id => rules[(int)id - 1].Position).ToList();

    private static IEnumerable<uint> RangeCreators(SlotImage image)
    {
        foreach (PolicyRanges ranges in image.Ranges.Values)
        {
            ReadOnlySpan<Datapath.Abi.PortRange> used = ranges.Ranges;
            uint first = uint.MaxValue;
            for (int i = 0; i < ranges.Count; i++)
            {
                first = Math.Min(first, used[i].RuleId);
            }

            yield return first;
        }
    }

    private string Describe(PolicyKey key)
    {
        string direction = key.Direction.Name();
        string protocol = key.Protocol switch
        {
            0 => "any protocol",
            _ => ((Protocol)key.Protocol).ToString().ToLowerInvariant(),
        };
        string peer = key.RemoteIdentity == AbiConstants.IdentityAny ? "any peer" : $"peer '{IdentityName(key.RemoteIdentity)}'";
        return $"'{IdentityName(key.LocalIdentity)}' {direction} {protocol} with {peer}";
    }

    private string IdentityName(uint id) => identities.Compiled.FirstOrDefault(i => i.Id == id)?.Name ?? $"#{id}";
}
