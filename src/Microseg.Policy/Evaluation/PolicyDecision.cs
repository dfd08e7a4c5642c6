using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Evaluation;

/// <summary>What the precedence levels decide for one flow, before the mode applies.</summary>
/// <param name="Action">Allow or deny.</param>
/// <param name="Reason"><see cref="VerdictReason.PolicyRule"/> or <see cref="VerdictReason.PolicyDefault"/>.</param>
/// <param name="RuleName">The first matching entry of the deciding level, in file order; null for the default.</param>
/// <param name="RuleKind"><c>rule</c>, <c>boundary</c> or <c>management</c>; null for the default.</param>
/// <param name="RulePosition">Where that entry is written.</param>
/// <param name="Sentence">Which level decided and why, as one or two sentences.</param>
internal sealed record PolicyDecision(
    RuleAction Action, VerdictReason Reason, string? RuleName, string? RuleKind, SourcePosition? RulePosition, string Sentence)
{
    public const string KindRule = "rule";
    public const string KindBoundary = "boundary";
    public const string KindManagement = "management";
}
