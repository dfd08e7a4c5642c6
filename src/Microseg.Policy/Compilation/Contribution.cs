using Microseg.Datapath.Abi;

namespace Microseg.Policy.Compilation;

/// <summary>
/// What one rule, boundary or management entry says under one policy key: its action on a set
/// of ports (ICMP types for ICMP), at its precedence.
/// </summary>
/// <param name="RuleId">The kernel rule id; within one rank the lowest (first in file order) decides.</param>
/// <param name="Rank">Precedence: management 3, boundary 2, deny rule 1, allow rule 0 (docs/policy.md, Precedence).</param>
/// <param name="Action">Allow or deny.</param>
/// <param name="Ports">Inclusive intervals, or null for every port.</param>
internal sealed record Contribution(uint RuleId, byte Rank, RuleActionKind Action, IReadOnlyList<(int First, int Last)>? Ports)
{
    public const byte ManagementRank = 3, BoundaryRank = 2, DenyRank = 1, AllowRank = 0;

    /// <summary>Orders by precedence: higher rank first, then lower rule id.</summary>
    public static int ByPrecedence(Contribution a, Contribution b) =>
        a.Rank != b.Rank ? b.Rank.CompareTo(a.Rank) : a.RuleId.CompareTo(b.RuleId);
}
