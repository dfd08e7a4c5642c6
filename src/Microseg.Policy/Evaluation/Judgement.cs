using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Evaluation;

/// <summary>The verdict docs/policy.md demands for one packet, and why.</summary>
/// <param name="Outcome">What happens to the packet.</param>
/// <param name="Reason">Which path decided.</param>
/// <param name="RuleName">The deciding entry's name (for a tracked flow, the entry that admitted it); null for a default and for unjudged packets.</param>
/// <param name="RuleKind"><c>rule</c>, <c>boundary</c> or <c>management</c>; null when <paramref name="RuleName"/> is.</param>
/// <param name="Explanation">Human sentences: which endpoint and mode, which peer identity and why, which level decided.</param>
public sealed record Judgement(Verdict Outcome, VerdictReason Reason, string? RuleName, string? RuleKind, string Explanation)
{
    /// <summary>Where the deciding entry is written; null when <see cref="RuleName"/> is.</summary>
    public SourcePosition? RulePosition { get; init; }

    /// <summary>The local endpoint's identity; null when the local address is no endpoint (or the packet is not IP).</summary>
    public string? LocalIdentity { get; init; }

    /// <summary>The peer's identity; null when the packet was not judged against the policy.</summary>
    public string? PeerIdentity { get; init; }

    /// <summary>The local endpoint's mode; null when the local address is no endpoint.</summary>
    public EndpointMode? Mode { get; init; }
}
