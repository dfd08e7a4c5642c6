namespace Microseg.Flows.Exposure;

/// <summary>A policy's exposure against a flat network (docs/flows.md, "Exposure").</summary>
/// <param name="Pairs">Every governed ordered pair, with what is reachable.</param>
/// <param name="Identities">Per identity, in the policy's order (host and world first).</param>
public sealed record ExposureReport(IReadOnlyList<ExposurePair> Pairs, IReadOnlyList<IdentityExposure> Identities)
{
    /// <summary>(pair, service) combinations reachable.</summary>
    public long Reachable => Pairs.Sum(p => p.Reachable);

    /// <summary>(pair, service) combinations on a flat network: every governed pair, every service.</summary>
    public long Total => Pairs.Count * ExposurePair.ServicesPerPair;

    /// <summary>Pairs with at least one reachable service.</summary>
    public int ReachablePairs => Pairs.Count(p => p.Reachable > 0);

    /// <summary>Reachable over total: 1 on a flat network.</summary>
    public double Exposure => Total == 0 ? 0 : (double)Reachable / Total;

    /// <summary>1 − <see cref="Exposure"/>: the blast-radius reduction against a flat network.</summary>
    public double Reduction => 1 - Exposure;

    /// <summary>1 − reachable pairs / pairs: the reduction counted in who can reach whom at all.</summary>
    public double PairReduction => Pairs.Count == 0 ? 0 : 1 - ((double)ReachablePairs / Pairs.Count);
}
