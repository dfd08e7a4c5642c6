using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;

namespace Microseg.Flows.Suggestion;

/// <summary>Observed ports (or ICMP types) as few ranges as the kernel allows.</summary>
public static class PortRanges
{
    /// <summary>
    /// Consecutive values merge into one range, which allows exactly the observed values. When that
    /// still leaves more than <paramref name="maxRanges"/> ranges (the kernel holds 16 per identity
    /// pair, direction and protocol), the smallest gaps are closed until it fits: the result then
    /// allows the values in those gaps too, and <paramref name="widened"/> says how many.
    /// </summary>
    public static List<PortRange> Merge(IEnumerable<int> values, int maxRanges, out int widened)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRanges, 1);
        var ranges = new List<(int First, int Last)>();
        foreach (int value in values.Distinct().Order())
        {
            if (ranges.Count > 0 && ranges[^1].Last + 1 == value)
            {
                ranges[^1] = (ranges[^1].First, value);
            }
            else
            {
                ranges.Add((value, value));
            }
        }

        widened = 0;
        while (ranges.Count > maxRanges)
        {
            int best = 0;
            for (int i = 1; i < ranges.Count - 1; i++)
            {
                if (ranges[i + 1].First - ranges[i].Last < ranges[best + 1].First - ranges[best].Last)
                {
                    best = i;
                }
            }

            widened += ranges[best + 1].First - ranges[best].Last - 1;
            ranges[best] = (ranges[best].First, ranges[best + 1].Last);
            ranges.RemoveAt(best + 1);
        }

        return ranges.Select(r => new PortRange(r.First, r.Last, default(SourcePosition))).ToList();
    }
}
