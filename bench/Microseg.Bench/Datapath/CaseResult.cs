namespace Microseg.Bench.Datapath;

/// <summary>One case at one scale: its rounds against the baseline and the target it is held to.</summary>
internal sealed record CaseResult
{
    public required string Name { get; init; }
    /// <summary>Identities and rules in the maps (each).</summary>
    public required int Entries { get; init; }
    /// <summary>"repeat" (one packet, the kernel's average over many runs) or "per-call".</summary>
    public required string Method { get; init; }
    /// <summary>Highest acceptable ratio to the empty program.</summary>
    public required double Target { get; init; }
    public required IReadOnlyList<InterleavedRuns.Round> Rounds { get; init; }
    /// <summary>
    /// new_flow only: the empty program's steady-state cost (repeat method, same run, same
    /// scale), against which <see cref="RatioVsSteadyBaseline"/> is computed.
    /// </summary>
    public double? SteadyBaselineNs { get; init; }
    /// <summary>new_flow only: the established packet's cost measured by repetition and per call.</summary>
    public double? EstablishedRepeatNs { get; init; }
    public double? EstablishedPerCallNs { get; init; }
    /// <summary>
    /// Shown beside the targets, not held to one: a case that says what another case's figure
    /// leaves out (denied_new_source: the denied path when no memo knows the source).
    /// </summary>
    public bool Informational { get; init; }
    /// <summary>Facts checked during the case that a reader should see (evictions, events).</summary>
    public IReadOnlyDictionary<string, long> Checks { get; init; } = new Dictionary<string, long>();

    public Spread CaseNs => Spread.Of(Rounds.Select(r => r.CaseNs));
    public Spread BaselineNs => Spread.Of(Rounds.Select(r => r.BaselineNs));
    /// <summary>Per-round case / baseline, each pair measured side by side.</summary>
    public Spread Ratio => Spread.Of(Rounds.Select(r => r.Ratio));
    public bool MeetsTarget => Informational || Ratio.Median <= Target;

    /// <summary>What the program adds over the empty one, per packet (median over rounds).</summary>
    public double MarginalNs => Spread.Of(Rounds.Select(r => r.CaseNs - r.BaselineNs)).Median;

    /// <summary>
    /// The stricter reading of a per-call case: its marginal cost added to the empty
    /// program's steady-state cost, over that steady-state cost. It charges the whole
    /// per-call timer overhead to neither side.
    /// </summary>
    public double? RatioVsSteadyBaseline =>
        SteadyBaselineNs is { } steady ? (steady + MarginalNs) / steady : null;
}
