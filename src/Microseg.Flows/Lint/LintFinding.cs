using Microseg.Policy.Diagnostics;

namespace Microseg.Flows.Lint;

/// <summary>What kind of hygiene problem a rule has.</summary>
public enum LintKind
{
    /// <summary>No recorded flow was decided by the rule.</summary>
    NeverHit,

    /// <summary>No packet at all can be decided by the rule: others decide everything it matches.</summary>
    Shadowed,

    /// <summary>An allow rule for any port, protocol or remote whose observed traffic fits a narrower rule.</summary>
    Broad,
}

/// <summary>One problem with one rule.</summary>
/// <param name="Kind">The problem.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Position">Where the rule is written.</param>
/// <param name="Message">One sentence.</param>
/// <param name="Suggestion">For a broad rule, the narrower fields the traffic fits (YAML); otherwise null.</param>
public sealed record LintFinding(LintKind Kind, string Rule, SourcePosition Position, string Message, string? Suggestion = null)
{
    /// <summary>"never-hit", "shadowed", "broad".</summary>
    public string KindName => Kind switch { LintKind.NeverHit => "never-hit", LintKind.Shadowed => "shadowed", _ => "broad" };

    /// <summary><c>FILE:LINE:COL: shadowed: rule 'x' …</c>, as policy check prints diagnostics.</summary>
    public override string ToString() => $"{Position}: {KindName}: {Message}" + (Suggestion is null ? "" : $"\n  suggest: {Suggestion}");
}
