using Microseg.Policy.Diagnostics;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Model;

/// <summary>What an endpoint gets when it says nothing itself.</summary>
/// <param name="Mode">Mode; <c>monitor</c> unless the file says otherwise.</param>
/// <param name="Ingress">Verdict for inbound packets no rule decides; <c>deny</c> by default.</param>
/// <param name="Egress">Verdict for outbound packets no rule decides; <c>allow</c> by default.</param>
/// <param name="Position">Where <c>defaults</c> was written (the file start when absent).</param>
public sealed record PolicyDefaults(EndpointMode Mode, RuleAction Ingress, RuleAction Egress, SourcePosition Position)
{
    /// <summary>The documented defaults, for a file without a <c>defaults</c> key.</summary>
    public static PolicyDefaults Standard(SourcePosition at) => new(EndpointMode.Monitor, RuleAction.Deny, RuleAction.Allow, at);
}
