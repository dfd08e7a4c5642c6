using Microseg.Flows.Records;
using Microseg.Flows.Replay;
using Microseg.Flows.Suggestion;
using Microseg.Flows.Yaml;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;

namespace Microseg.Flows.Lint;

/// <summary>
/// Rule hygiene against recorded flows (docs/flows.md, "Rule hygiene"). Only entries of
/// <c>rules</c> are linted: a boundary or management entry that nothing hit is doing its job.
/// <list type="bullet">
/// <item><b>shadowed</b>: a rule no packet whatever can be decided by. For every (local, peer)
/// identity pair it selects (local: identities with an endpoint in this policy; peer: every
/// identity, world and host included) and every protocol, port and ICMP type it matches, one of
/// these matches too: a boundary between the pair; for an allow rule, a deny rule (a higher
/// level); a rule of the same action earlier in file order (which the evaluator names as the
/// deciding rule). Management is matched by address, not identity, and never counts as
/// shadowing. Found from the policy alone.</item>
/// <item><b>never hit</b>: not shadowed, but no recorded flow (first packet judged by the policy)
/// replayed through the reference evaluator was decided by it.</item>
/// <item><b>broad</b>: an allow rule for any protocol, any port or ICMP type, or a peer selector
/// that selects world, whose recorded flows all fit a narrower rule: the protocols, ports and
/// peers they used (world counts as a peer that cannot be narrowed).</item>
/// </list>
/// </summary>
public static class PolicyLinter
{
    private static readonly byte[] AllProtocols = [FlowText.Tcp, FlowText.Udp, FlowText.Icmp, FlowText.IcmpV6, 0];

    public static IReadOnlyList<LintFinding> Lint(PolicyDocument policy, IEnumerable<FlowRecord> records)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var evaluator = new ReferenceEvaluator(policy);
        var decided = policy.Rules.ToDictionary(r => r.Name, _ => new List<FlowRecord>(), StringComparer.Ordinal);
        foreach (FlowRecord record in records.Where(r => r.IsJudgedFlow))
        {
            Judgement judged = FlowReplay.JudgeAlone(evaluator, FlowReplay.FirstPacket(record));
            if (judged.RuleKind == "rule" && judged.RuleName is not null && decided.TryGetValue(judged.RuleName, out List<FlowRecord>? hits))
            {
                hits.Add(record with { RemoteIdentity = judged.PeerIdentity ?? record.RemoteIdentity });
            }
        }

        var findings = new List<LintFinding>();
        foreach (PolicyRule rule in policy.Rules)
        {
            List<string>? shadowers = Shadowers(policy, rule);
            if (shadowers is not null)
            {
                findings.Add(new LintFinding(LintKind.Shadowed, rule.Name, rule.Position,
                    $"rule '{rule.Name}' can never decide a packet: everything it matches is decided first by {string.Join(", ", shadowers)}"));
            }
            else if (decided[rule.Name].Count == 0)
            {
                findings.Add(new LintFinding(LintKind.NeverHit, rule.Name, rule.Position, $"rule '{rule.Name}' decided none of the recorded flows"));
            }
            else if (rule.Action == RuleAction.Allow && Narrower(policy, rule, decided[rule.Name]) is { } narrower)
            {
                findings.Add(new LintFinding(LintKind.Broad, rule.Name, rule.Position,
                    $"rule '{rule.Name}' allows {Broadness(policy, rule)}, but its {decided[rule.Name].Count} recorded flow(s) fit a narrower rule", narrower));
            }
        }

        return findings;
    }

    /// <summary>The entries that together decide everything <paramref name="rule"/> matches; null when something is left to it.</summary>
    private static List<string>? Shadowers(PolicyDocument policy, PolicyRule rule)
    {
        var endpointIdentities = policy.Endpoints.Select(e => e.Identity).ToHashSet(StringComparer.Ordinal);
        List<IdentityDefinition> all = policy.AllIdentities.ToList();
        int index = policy.Rules.ToList().IndexOf(rule);
        var used = new SortedSet<string>(StringComparer.Ordinal);
        bool anyPair = false;
        foreach (IdentityDefinition local in all.Where(i => endpointIdentities.Contains(i.Name) && rule.Local.Matches(i)))
        {
            foreach (IdentityDefinition peer in all.Where(rule.Peer.Matches))
            {
                anyPair = true;
                if (policy.Boundaries.FirstOrDefault(b => b.Separates(local, peer)) is { } boundary)
                {
                    used.Add($"boundary '{boundary.Name}'");
                    continue;
                }

                List<PolicyRule> before = policy.Rules
                    .Where((other, i) => other != rule && other.Direction == rule.Direction && other.Local.Matches(local) && other.Peer.Matches(peer) &&
                        ((rule.Action == RuleAction.Allow && other.Action == RuleAction.Deny) || (other.Action == rule.Action && i < index)))
                    .ToList();
                foreach (byte protocol in rule.Protocol == Protocol.Any ? AllProtocols : [(byte)rule.Protocol])
                {
                    ValueSet left = Values(rule, protocol);
                    foreach (PolicyRule other in before.Where(o => o.Protocol == Protocol.Any || (byte)o.Protocol == protocol))
                    {
                        long was = left.Count;
                        Remove(left, other, protocol);
                        if (left.Count < was)
                        {
                            used.Add($"{(other.Action == RuleAction.Deny ? "deny" : "allow")} rule '{other.Name}'");
                        }
                    }

                    if (!left.IsEmpty)
                    {
                        return null;
                    }
                }
            }
        }

        return anyPair ? used.ToList() : null;
    }

    private static ValueSet Values(PolicyRule rule, byte protocol) => protocol switch
    {
        FlowText.Tcp or FlowText.Udp => ValueSet.Of(rule.Ports, 0, 65535),
        FlowText.Icmp or FlowText.IcmpV6 => ValueSet.Of(rule.IcmpTypes, 0, 255),
        _ => ValueSet.Of([], 0, 0),
    };

    private static void Remove(ValueSet left, PolicyRule other, byte protocol)
    {
        switch (protocol)
        {
            case FlowText.Tcp or FlowText.Udp:
                left.Remove(other.Ports, 0, 65535);
                break;
            case FlowText.Icmp or FlowText.IcmpV6:
                left.Remove(other.IcmpTypes, 0, 255);
                break;
            default:
                left.Remove([], 0, 0);
                break;
        }
    }

    private static bool SelectsWorld(PolicyDocument policy, Selector selector) =>
        selector.Matches(policy.AllIdentities.First(i => i.Name == IdentityDefinition.WorldName));

    private static string Broadness(PolicyDocument policy, PolicyRule rule)
    {
        var parts = new List<string>();
        if (rule.Protocol == Protocol.Any)
        {
            parts.Add("any protocol");
        }
        else if (FlowText.HasPorts((byte)rule.Protocol) && rule.Ports.Count == 0)
        {
            parts.Add("any port");
        }
        else if (FlowText.IsIcmp((byte)rule.Protocol) && rule.IcmpTypes.Count == 0)
        {
            parts.Add("any ICMP type");
        }

        if (SelectsWorld(policy, rule.Peer))
        {
            parts.Add("any remote (world)");
        }

        return string.Join(" from ", parts);
    }

    /// <summary>The narrower fields the rule's flows fit, as YAML; null when the rule is not broad or nothing narrower fits.</summary>
    private static string? Narrower(PolicyDocument policy, PolicyRule rule, List<FlowRecord> hits)
    {
        bool anyProtocol = rule.Protocol == Protocol.Any;
        bool anyValue = (FlowText.HasPorts((byte)rule.Protocol) && rule.Ports.Count == 0) || (FlowText.IsIcmp((byte)rule.Protocol) && rule.IcmpTypes.Count == 0);
        var peers = hits.Select(h => h.RemoteIdentity).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        bool peerNarrows = SelectsWorld(policy, rule.Peer) && !peers.Contains(IdentityDefinition.WorldName);
        if (!anyProtocol && !anyValue && !peerNarrows)
        {
            return null;
        }

        var fields = new List<string>();
        foreach (var protocol in hits.GroupBy(h => h.Protocol).OrderBy(g => g.Key))
        {
            string name = FlowText.Protocol(protocol.Key);
            List<Policy.Model.PortRange> ranges = PortRanges.Merge(protocol.Select(h => (int)h.PolicyPort), Datapath.Abi.AbiConstants.MaxPortRanges, out _);
            fields.Add(FlowText.HasPorts(protocol.Key) ? $"protocol: {name}, ports: {PolicyYamlWriter.Ranges(ranges)}"
                : FlowText.IsIcmp(protocol.Key) ? $"protocol: {name}, icmpTypes: {PolicyYamlWriter.Ranges(ranges)}"
                : $"protocol {name} (only 'any' can name it)");
        }

        string suggestion = fields.Count > 1 ? "one rule per protocol: " + string.Join("; ", fields) : fields[0];
        if (peerNarrows)
        {
            suggestion += peers.Count == 1
                ? $", peer: {{identity: {peers[0]}}}"
                : $", peer: one of {string.Join(", ", peers)} (a selector of exactly these)";
        }

        return suggestion;
    }
}
