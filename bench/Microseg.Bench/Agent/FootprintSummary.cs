namespace Microseg.Bench.Agent;

/// <summary>One build's rounds reduced to median, min and max per figure.</summary>
internal sealed record FootprintSummary(FootprintSummary.Spread Ready, FootprintSummary.Spread RssMb, FootprintSummary.Spread CpuPercent)
{
    public sealed record Spread(double Median, double Min, double Max)
    {
        public static Spread Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            // With an even count the lower middle: a figure that was actually measured.
            return new Spread(sorted[(sorted.Count - 1) / 2], sorted[0], sorted[^1]);
        }

        public string Format(string format) =>
            $"{Median.ToString(format)} ({Min.ToString(format)}-{Max.ToString(format)})";
    }

    public static FootprintSummary Of(IReadOnlyList<AgentFootprint.Round> rounds) =>
        new(Spread.Of(rounds.Select(r => r.ReadyMs)), Spread.Of(rounds.Select(r => r.RssMb)), Spread.Of(rounds.Select(r => r.CpuPercent)));

    public Dictionary<string, object?> ToJson(string daemon) => new()
    {
        ["daemon"] = daemon,
        ["ready_ms"] = Math.Round(Ready.Median), ["ready_ms_min"] = Math.Round(Ready.Min), ["ready_ms_max"] = Math.Round(Ready.Max),
        ["rss_idle_mb"] = Math.Round(RssMb.Median, 1), ["rss_idle_mb_max"] = Math.Round(RssMb.Max, 1),
        ["cpu_idle_percent"] = Math.Round(CpuPercent.Median, 3), ["cpu_idle_percent_max"] = Math.Round(CpuPercent.Max, 3),
    };
}
