using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Diff;

/// <summary>
/// An endpoint whose effective mode differs: the line an operator must not miss, since
/// monitor to enforce is where packets start being dropped.
/// </summary>
/// <param name="Endpoint">The endpoint's name, as in <see cref="EntryChange.Name"/>.</param>
/// <param name="Addresses">Its local addresses (the new ones, or the old ones when removed), in canonical order.</param>
/// <param name="Old">The old mode; null when the endpoint is new (its traffic was not judged).</param>
/// <param name="New">The new mode; null when the endpoint is removed (its traffic will not be judged).</param>
public sealed record ModeChange(string Endpoint, IReadOnlyList<string> Addresses, EndpointMode? Old, EndpointMode? New)
{
    /// <summary>True when the new policy drops packets for this endpoint that the old one passed.</summary>
    public bool StartsEnforcing => New == EndpointMode.Enforce && Old != EndpointMode.Enforce;

    /// <summary>True when the old policy dropped packets for this endpoint and the new one does not.</summary>
    public bool StopsEnforcing => Old == EndpointMode.Enforce && New != EndpointMode.Enforce;
}
