using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Compilation;

/// <summary>What applying a compiled policy did.</summary>
/// <param name="Applied">True when the policy is live now; false when it was refused and nothing was written.</param>
/// <param name="Problems">Why it was refused: capacity problems; empty when applied.</param>
/// <param name="Written">What the slot writer did (entries written and deleted, generation, slot); null when refused.</param>
/// <param name="Incremental">True when the policy was compiled from the live one and only what changed was compared.</param>
public sealed record PolicyApplyResult(bool Applied, IReadOnlyList<Diagnostic> Problems, SlotWriteResult? Written, bool Incremental);
