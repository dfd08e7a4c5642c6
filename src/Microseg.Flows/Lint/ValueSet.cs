using Microseg.Policy.Model;

namespace Microseg.Flows.Lint;

/// <summary>A set of ports or ICMP types as sorted, disjoint inclusive ranges.</summary>
internal sealed class ValueSet
{
    private List<(int First, int Last)> _ranges;

    private ValueSet(List<(int, int)> ranges)
    {
        _ranges = ranges;
    }

    /// <summary>The values <paramref name="ranges"/> name, or all of [<paramref name="min"/>, <paramref name="max"/>] when there are none (a rule's "any").</summary>
    public static ValueSet Of(IReadOnlyList<PortRange> ranges, int min, int max) =>
        ranges.Count == 0 ? new([(min, max)]) : new(Normalise(ranges.Select(r => (r.First, r.Last))));

    public bool IsEmpty => _ranges.Count == 0;

    /// <summary>How many values the set holds.</summary>
    public long Count => _ranges.Sum(r => (long)r.Last - r.First + 1);

    public void Remove(IReadOnlyList<PortRange> ranges, int min, int max)
    {
        foreach ((int first, int last) in ranges.Count == 0 ? [(min, max)] : ranges.Select(r => (r.First, r.Last)))
        {
            var kept = new List<(int, int)>();
            foreach ((int a, int b) in _ranges)
            {
                if (last < a || first > b)
                {
                    kept.Add((a, b));
                    continue;
                }

                if (a < first)
                {
                    kept.Add((a, first - 1));
                }

                if (b > last)
                {
                    kept.Add((last + 1, b));
                }
            }

            _ranges = kept;
        }
    }

    private static List<(int, int)> Normalise(IEnumerable<(int First, int Last)> ranges)
    {
        var merged = new List<(int First, int Last)>();
        foreach (var r in ranges.OrderBy(r => r.First))
        {
            if (merged.Count > 0 && r.First <= merged[^1].Last + 1)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, r.Last));
            }
            else
            {
                merged.Add(r);
            }
        }

        return merged;
    }
}
