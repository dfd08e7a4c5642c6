using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Compilation;

/// <summary>
/// A policy compiled for this host: the complete map image plus the tables that turn the
/// kernel's numbers (rule ids, identities) back into names. Same document, same image.
/// </summary>
public sealed class CompiledPolicy
{
    internal CompiledPolicy(SlotImage image, IReadOnlyList<CompiledRule> rules, IReadOnlyList<CompiledIdentity> identities,
        IReadOnlyList<Diagnostic> capacityProblems)
    {
        Image = image;
        Rules = rules;
        Identities = identities;
        CapacityProblems = capacityProblems;
    }

    /// <summary>Every map entry of the policy; keys carry slot 0 (the writer stamps the slot).</summary>
    public SlotImage Image { get; }

    /// <summary>Every rule, boundary and management entry with its kernel rule id, by id.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>Every kernel identity the image uses, by id (world and host first).</summary>
    public IReadOnlyList<CompiledIdentity> Identities { get; }

    /// <summary>
    /// Why the image does not fit the capacities it was compiled for, as errors with a position;
    /// empty when it fits. A policy with problems must not be applied (see <see cref="PolicyApplier"/>).
    /// </summary>
    public IReadOnlyList<Diagnostic> CapacityProblems { get; }

    /// <summary>The policy this one was compiled from incrementally, or null after a whole compile.</summary>
    public CompiledPolicy? Basis { get; internal set; }

    /// <summary>
    /// With <see cref="Basis"/>: the keys under which <see cref="Image"/> may differ from the
    /// basis's image (every difference is under one of them); null after a whole compile.
    /// </summary>
    public SlotImageChanges? ChangesFrom { get; internal set; }

    /// <summary>What the next compile may reuse; null when nothing may be.</summary>
    internal CompileState? State { get; set; }

    /// <summary>The name behind a kernel rule id: "default" for 0, "rule #N" for an id this policy does not have.</summary>
    public string RuleName(uint ruleId) =>
        ruleId == 0 ? "default" : Rule(ruleId) is { } rule ? rule.Name : $"rule #{ruleId}";

    /// <summary>The rule behind a kernel rule id, or null.</summary>
    /// <remarks>Rule ids are 1, 2, … in the order of <see cref="Rules"/>.</remarks>
    public CompiledRule? Rule(uint ruleId) => ruleId >= 1 && ruleId <= (uint)Rules.Count ? Rules[(int)ruleId - 1] : null;
}
