namespace Microseg.Flows.Exposure;

/// <summary>One identity's reach (what it can open) and exposure (what can open to it), in services.</summary>
/// <param name="Identity">The identity.</param>
/// <param name="Reach">Services reachable from it, over the governed pairs it opens.</param>
/// <param name="ReachTotal">The same on a flat network.</param>
/// <param name="Exposed">Services of it reachable by others, over the governed pairs it is the target of.</param>
/// <param name="ExposedTotal">The same on a flat network.</param>
/// <param name="PeersReached">Identities it can reach on at least one service.</param>
/// <param name="PeersExposedTo">Identities that can reach it on at least one service.</param>
public sealed record IdentityExposure(string Identity, long Reach, long ReachTotal, long Exposed, long ExposedTotal, int PeersReached, int PeersExposedTo)
{
    public double ReachFraction => ReachTotal == 0 ? 0 : (double)Reach / ReachTotal;

    public double ExposedFraction => ExposedTotal == 0 ? 0 : (double)Exposed / ExposedTotal;
}
