using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;
using PortRange = Microseg.Policy.Model.PortRange;

namespace Microseg.Policy.Evaluation;

/// <summary>
/// The precedence of docs/policy.md, level by level: management allows, then boundaries deny,
/// then deny rules, then allow rules, then the endpoint's default. The deciding entry is the first
/// match of the winning level in file order.
/// </summary>
internal static class PrecedenceJudge
{
    public static PolicyDecision Decide(PolicyDocument document, LocalEndpoint endpoint, FlowQuestion q)
    {
        List<ManagementAccess> management = document.Management.Where(m => ManagementMatches(m, q)).ToList();
        List<Boundary> boundaries = document.Boundaries.Where(b => b.Separates(q.Local, q.Peer)).ToList();
        List<PolicyRule> denies = document.Rules.Where(r => r.Action == RuleAction.Deny && RuleMatches(r, q)).ToList();
        List<PolicyRule> allows = document.Rules.Where(r => r.Action == RuleAction.Allow && RuleMatches(r, q)).ToList();

        if (management.Count > 0)
        {
            ManagementAccess m = management[0];
            string from = string.Join(", ", m.From.Where(f => f.Network.Contains(q.RemoteAddress)));
            return new PolicyDecision(RuleAction.Allow, VerdictReason.PolicyRule, m.Name, PolicyDecision.KindManagement, m.Position,
                $"Management entry '{m.Name}' ({m.Position}) admits {q} from {from}: management access is the first level and nothing else in the file can cut it."
                + Overridden(boundaries.Select(b => $"boundary '{b.Name}'").Concat(denies.Select(r => $"deny rule '{r.Name}'")), management.Skip(1).Select(x => x.Name)));
        }

        if (boundaries.Count > 0)
        {
            Boundary b = boundaries[0];
            return new PolicyDecision(RuleAction.Deny, VerdictReason.PolicyRule, b.Name, PolicyDecision.KindBoundary, b.Position,
                $"Boundary '{b.Name}' ({b.Position}) separates '{q.Local.Name}' from '{q.Peer.Name}': a boundary denies every packet between its sides and beats every allow rule."
                + Overridden(allows.Select(r => $"allow rule '{r.Name}'"), boundaries.Skip(1).Select(x => x.Name)));
        }

        if (denies.Count > 0)
        {
            PolicyRule r = denies[0];
            return new PolicyDecision(RuleAction.Deny, VerdictReason.PolicyRule, r.Name, PolicyDecision.KindRule, r.Position,
                $"Deny rule '{r.Name}' ({r.Position}) matches {q} between '{q.Local.Name}' and '{q.Peer.Name}': no management entry or boundary applies, and deny beats allow."
                + Overridden(allows.Select(a => $"allow rule '{a.Name}'"), denies.Skip(1).Select(x => x.Name)));
        }

        if (allows.Count > 0)
        {
            PolicyRule r = allows[0];
            return new PolicyDecision(RuleAction.Allow, VerdictReason.PolicyRule, r.Name, PolicyDecision.KindRule, r.Position,
                $"Allow rule '{r.Name}' ({r.Position}) matches {q} between '{q.Local.Name}' and '{q.Peer.Name}'; no management entry, boundary or deny rule applies."
                + Overridden([], allows.Skip(1).Select(x => x.Name)));
        }

        RuleAction fallback = q.Direction == Direction.Ingress ? endpoint.Ingress : endpoint.Egress;
        string direction = q.Direction.Name();
        return new PolicyDecision(fallback, VerdictReason.PolicyDefault, null, null, null,
            $"No management entry, boundary or rule matches {q} between '{q.Local.Name}' and '{q.Peer.Name}', so the endpoint's {direction} default decides: {(fallback == RuleAction.Allow ? "allow" : "deny")}.");
    }

    /// <summary>A rule's direction, selectors, protocol and ports or ICMP types all match.</summary>
    public static bool RuleMatches(PolicyRule rule, FlowQuestion q) =>
        rule.Direction == q.Direction &&
        rule.Local.Matches(q.Local) &&
        rule.Peer.Matches(q.Peer) &&
        ProtocolMatches(rule.Protocol, q.Protocol) &&
        (q.Protocol switch
        {
            IcmpKinds.Tcp or IcmpKinds.Udp => InRanges(rule.Ports, q.DestinationPort),
            IcmpKinds.Icmp or IcmpKinds.IcmpV6 => InRanges(rule.IcmpTypes, q.IcmpType),
            _ => true,
        });

    /// <summary>Management: inbound only, matched on the peer's address rather than its identity.</summary>
    public static bool ManagementMatches(ManagementAccess access, FlowQuestion q) =>
        q.Direction == Direction.Ingress &&
        access.Local.Matches(q.Local) &&
        access.From.Any(f => f.Network.Contains(q.RemoteAddress)) &&
        ProtocolMatches(access.Protocol, q.Protocol) &&
        (q.Protocol is IcmpKinds.Tcp or IcmpKinds.Udp ? InRanges(access.Ports, q.DestinationPort) : true);

    private static bool ProtocolMatches(Protocol written, byte protocol) => written == Protocol.Any || (byte)written == protocol;

    // An empty list means every value.
    private static bool InRanges(IReadOnlyList<PortRange> ranges, int value) =>
        ranges.Count == 0 || ranges.Any(r => r.First <= value && value <= r.Last);

    private static string Overridden(IEnumerable<string> lower, IEnumerable<string> sameLevel)
    {
        string text = "";
        List<string> beaten = lower.ToList();
        if (beaten.Count > 0)
        {
            text += $" It overrides {string.Join(", ", beaten)}.";
        }

        List<string> also = sameLevel.ToList();
        if (also.Count > 0)
        {
            text += $" Also matching at this level (same verdict, later in file order): {string.Join(", ", also.Select(n => $"'{n}'"))}.";
        }

        return text;
    }
}
