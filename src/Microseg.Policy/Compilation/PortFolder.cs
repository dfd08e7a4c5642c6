using Microseg.Datapath.Abi;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Folds the contributions under one policy key into what the kernel's value holds: an
/// any-port action, exact ports and sorted non-overlapping ranges, each port decided by the
/// contribution of highest precedence that covers it.
/// </summary>
internal static class PortFolder
{
    /// <summary>The folded key: any-port outcome (when every port is decided), exact ports and ranges.</summary>
    public readonly record struct Folded(PortDecision? AnyPort, List<PortDecision> Exact, List<PortDecision> Ranges);

    /// <summary>The largest port (or ICMP type) a packet of <paramref name="protocol"/> can carry.</summary>
    public static int DomainLast(byte protocol) => protocol is 1 or 58 ? 255 : 65535;

    /// <summary>
    /// Folds <paramref name="contributions"/> (sorted by <see cref="Contribution.ByPrecedence"/>)
    /// over ports 0..<paramref name="domainLast"/>. When every port is decided, the outcome
    /// covering the most ports becomes the any-port action and only the others are listed:
    /// fewer entries, and the same verdict for every port.
    /// </summary>
    public static Folded Fold(IReadOnlyList<Contribution> contributions, int domainLast)
    {
        Contribution top = contributions[0];
        if (top.Ports is null)
        {
            return new Folded(new PortDecision(0, domainLast, top.RuleId, top.Action), [], []);
        }

        // Painted intervals, sorted by First: higher-precedence contributions paint first, later
        // ones only fill what is still bare.
        var painted = new List<PortDecision>();
        int covered = 0;
        foreach (Contribution c in contributions)
        {
            if (covered == domainLast + 1)
            {
                break;
            }

            if (c.Ports is null)
            {
                covered += PaintAll(painted, 0, domainLast, c);
                continue;
            }

            foreach ((int first, int last) in c.Ports)
            {
                if (first <= domainLast)
                {
                    covered += PaintAll(painted, first, Math.Min(last, domainLast), c);
                }
            }
        }

        List<PortDecision> merged = Merge(painted);
        PortDecision? background = null;
        if (covered == domainLast + 1)
        {
            background = Background(merged, domainLast);
        }

        var exact = new List<PortDecision>();
        var ranges = new List<PortDecision>();
        foreach (PortDecision d in merged)
        {
            if (background is { } b && d.SameOutcome(b))
            {
                continue;
            }

            (d.First == d.Last ? exact : ranges).Add(d);
        }

        return new Folded(background, exact, ranges);
    }

    // Paints [first, last] wherever it is bare; returns how many ports it newly decided.
    private static int PaintAll(List<PortDecision> painted, int first, int last, Contribution c)
    {
        int added = 0;
        int cursor = first;
        int index = LowerBound(painted, first);
        var gaps = new List<PortDecision>();
        while (cursor <= last)
        {
            if (index < painted.Count && painted[index].First <= cursor)
            {
                cursor = Math.Max(cursor, painted[index].Last + 1);
                index++;
                continue;
            }

            int gapLast = index < painted.Count ? Math.Min(last, painted[index].First - 1) : last;
            gaps.Add(new PortDecision(cursor, gapLast, c.RuleId, c.Action));
            added += gapLast - cursor + 1;
            cursor = gapLast + 1;
        }

        if (gaps.Count > 0)
        {
            painted.AddRange(gaps);
            painted.Sort((a, b) => a.First.CompareTo(b.First));
        }

        return added;
    }

    // The first painted interval that could overlap a port at or after `port`.
    private static int LowerBound(List<PortDecision> painted, int port)
    {
        int lo = 0, hi = painted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (painted[mid].Last < port)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static List<PortDecision> Merge(List<PortDecision> painted)
    {
        var merged = new List<PortDecision>(painted.Count);
        foreach (PortDecision d in painted)
        {
            if (merged.Count > 0 && merged[^1].Last + 1 == d.First && merged[^1].SameOutcome(d))
            {
                merged[^1] = merged[^1] with { Last = d.Last };
            }
            else
            {
                merged.Add(d);
            }
        }

        return merged;
    }

    // The outcome deciding the most ports; ties go to the lower rule id, then to allow.
    private static PortDecision Background(List<PortDecision> merged, int domainLast)
    {
        var widths = new Dictionary<(uint, RuleActionKind), int>();
        foreach (PortDecision d in merged)
        {
            widths[(d.RuleId, d.Action)] = widths.GetValueOrDefault((d.RuleId, d.Action)) + d.Width;
        }

        ((uint rule, RuleActionKind action), int _) = widths
            .OrderByDescending(w => w.Value)
            .ThenBy(w => w.Key.Item1)
            .ThenBy(w => w.Key.Item2)
            .First();
        return new PortDecision(0, domainLast, rule, action);
    }
}
