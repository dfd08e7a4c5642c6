using System.Globalization;
using System.Text.Json;

namespace Microseg.Bench.Sre;

/// <summary>The SRE benchmark's table and artifacts/bench/summary.json.</summary>
internal sealed class SreReport(IReadOnlyList<Throughput> results, IReadOnlyList<string> notes, SreSettings settings)
{
    public bool AllTargetsMet => SreTargets.Evaluate(results).All(t => t.Ratio is { } r && r >= t.AtLeast);

    public void WriteTable(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine($"receive throughput, 64-byte UDP, median of {settings.Rounds} rounds of {settings.Window.TotalSeconds:0.#} s (min-max)");
        var counts = results.Select(r => r.Rules).Distinct().Order().ToArray();
        w.Write($"{"config",-22}");
        foreach (var c in counts)
            w.Write($"{c + " rules: kpps",20}{"ns/pkt",8}");
        w.WriteLine();
        foreach (var config in results.Select(r => r.Config).Distinct())
        {
            w.Write($"{config,-22}");
            foreach (var c in counts)
            {
                var r = results.FirstOrDefault(x => x.Config == config && x.Rules == c);
                w.Write(r is null ? $"{"-",20}{"",8}" : string.Create(CultureInfo.InvariantCulture,
                    $"{$"{r.MedianKpps:F1} ({r.MinKpps:F0}-{r.MaxKpps:F0})",20}{r.NsPerPacket,8:F0}"));
            }
            w.WriteLine();
        }
        w.WriteLine();
        w.WriteLine($"targets at {SreTargets.AtRules} rules (ratios of medians in this run):");
        foreach (var (numerator, denominator, atLeast, ratio) in SreTargets.Evaluate(results))
        {
            var verdict = ratio is not { } r ? "not measured" : r >= atLeast ? "ok" : string.Create(CultureInfo.InvariantCulture, $"MISSED by {(1 - r / atLeast) * 100:F0}%");
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {numerator} / {denominator} = {(ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "-"),-8} target >= {atLeast}  {verdict}"));
        }
        foreach (var note in notes)
            w.WriteLine($"note: {note}");
    }

    public void WriteJson(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = new Dictionary<string, object>
        {
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["kernel"] = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            ["cpus"] = Environment.ProcessorCount,
            ["frame_bytes"] = UdpFrame.Length + 4,
            ["rounds"] = settings.Rounds,
            ["window_s"] = settings.Window.TotalSeconds,
            ["throughput"] = results.Select(r => new Dictionary<string, object>
            {
                ["config"] = r.Config,
                ["rules"] = r.Rules,
                ["kpps"] = Math.Round(r.MedianKpps, 1),
                ["kpps_min"] = Math.Round(r.MinKpps, 1),
                ["kpps_max"] = Math.Round(r.MaxKpps, 1),
                ["ns_per_packet"] = Math.Round(r.NsPerPacket, 0),
            }).ToList(),
            ["targets"] = SreTargets.Evaluate(results).Select(t => new Dictionary<string, object?>
            {
                ["numerator"] = t.Numerator,
                ["denominator"] = t.Denominator,
                ["rules"] = SreTargets.AtRules,
                ["at_least"] = t.AtLeast,
                ["ratio"] = t.Ratio is { } r ? Math.Round(r, 3) : null,
                ["met"] = t.Ratio is { } m && m >= t.AtLeast,
            }).ToList(),
            ["notes"] = notes,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
