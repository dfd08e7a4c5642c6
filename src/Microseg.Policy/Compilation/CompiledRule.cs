using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Compilation;

/// <summary>A rule id the kernel reports (in events and ms_rule_counters) and what it stands for.</summary>
/// <param name="Id">The kernel's rule id: 1 upwards; 0 is the endpoint default and never a rule.</param>
/// <param name="Name">The entry's name in the policy file.</param>
/// <param name="Kind">Rule, boundary or management entry.</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record CompiledRule(uint Id, string Name, CompiledRuleKind Kind, SourcePosition Position);
