namespace Microseg.Policy.Compilation;

/// <summary>One interval of ports and the rule deciding it.</summary>
/// <param name="First">First port, inclusive.</param>
/// <param name="Last">Last port, inclusive.</param>
/// <param name="RuleId">The deciding rule.</param>
/// <param name="Action">Its action.</param>
internal readonly record struct PortDecision(int First, int Last, uint RuleId, Datapath.Abi.RuleActionKind Action)
{
    public int Width => Last - First + 1;

    public bool SameOutcome(PortDecision other) => RuleId == other.RuleId && Action == other.Action;
}
