using Microseg.Policy.Model;

namespace Microseg.Flows.Suggestion;

/// <summary>A rule the suggester wrote and the traffic that justified it.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Comment">The comment written above it: services, counts, first and last seen.</param>
/// <param name="Flows">Flows (allowed and would-deny) it was written for.</param>
/// <param name="WidenedPorts">Ports (or types) it allows beyond those observed, to fit the kernel's range limit.</param>
public sealed record SuggestedRule(PolicyRule Rule, string Comment, ulong Flows, int WidenedPorts);
