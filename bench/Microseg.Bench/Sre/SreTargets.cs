namespace Microseg.Bench.Sre;

/// <summary>The targets: ratios between configurations in the same run, at 10,000 rules.</summary>
internal static class SreTargets
{
    public const int AtRules = 10000;

    /// <summary>(what, numerator configuration, denominator configuration, at least this ratio).</summary>
    public static readonly (string Numerator, string Denominator, double AtLeast)[] All =
    [
        ("microseg_allow", "xdp_pass", 0.95),
        ("microseg_deny_flood", "xdp_drop", 0.85),
        ("microseg_allow", "nft_set", 1.1),
        ("microseg_allow", "iptables", 50),
    ];

    /// <summary>Each target with its measured ratio (null when a side was not measured).</summary>
    public static IEnumerable<(string Numerator, string Denominator, double AtLeast, double? Ratio)> Evaluate(IReadOnlyList<Throughput> results)
    {
        foreach (var (numerator, denominator, atLeast) in All)
        {
            var n = results.FirstOrDefault(r => r.Config == numerator && r.Rules == AtRules);
            var d = results.FirstOrDefault(r => r.Config == denominator && r.Rules == AtRules);
            yield return (numerator, denominator, atLeast, n is null || d is null ? null : n.MedianKpps / d.MedianKpps);
        }
    }
}
