namespace Microseg.Bench.Datapath;

/// <summary>The median of a series of measurements and its extremes.</summary>
internal readonly record struct Spread(double Median, double Min, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            throw new ArgumentException("no measurements", nameof(values));
        return new Spread(MedianOfSorted(sorted), sorted[0], sorted[^1]);
    }

    /// <summary>The median of an ascending array (mean of the middle two when even).</summary>
    public static double MedianOfSorted(ReadOnlySpan<double> sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
                               : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>The median of raw per-call durations; sorts the span in place.</summary>
    public static double MedianInPlace(Span<uint> values)
    {
        values.Sort();
        return values.Length % 2 == 1 ? values[values.Length / 2]
                                      : (values[values.Length / 2 - 1] + (double)values[values.Length / 2]) / 2;
    }
}
