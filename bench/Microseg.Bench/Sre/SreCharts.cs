using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microseg.Bench.Sre;

/// <summary>
/// The PNG charts, drawn by gnuplot from data files written beside them: receive throughput
/// against rule count, and ns/packet against rule count (the receiver's time per packet here,
/// plus the per-packet benchmark's BPF_PROG_TEST_RUN cases from datapath.json when it
/// exists), one line per configuration, both axes logarithmic (the rates span four decades).
/// </summary>
internal static class SreCharts
{
    /// <summary>Writes throughput.png and ns_per_packet.png into <paramref name="directory"/>; returns the files written, or why none were.</summary>
    public static string Write(IReadOnlyList<Throughput> results, string directory, string? datapathJson)
    {
        if (!Shell.Has("gnuplot"))
            return "charts skipped: gnuplot is not installed (make deps installs it)";
        var data = Path.Combine(directory, "sre-chart-data");
        Directory.CreateDirectory(data);
        var throughputSeries = new List<(string Title, string File)>();
        var nsSeries = new List<(string Title, string File)>();
        foreach (var config in results.Select(r => r.Config).Distinct())
        {
            var rows = results.Where(r => r.Config == config).OrderBy(r => r.Rules).ToList();
            var file = Path.Combine(data, config + ".dat");
            File.WriteAllLines(file, rows.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Rules} {r.MedianKpps:F1} {r.MinKpps:F1} {r.MaxKpps:F1} {r.NsPerPacket:F1}")));
            throughputSeries.Add((config, file));
            nsSeries.Add((config + " (receiver)", file));
        }
        var testRun = new List<(string Title, string File)>();
        if (datapathJson is not null && File.Exists(datapathJson))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(datapathJson));
            foreach (var group in document.RootElement.GetProperty("cases").EnumerateArray()
                         .GroupBy(c => c.GetProperty("name").GetString()!))
            {
                var file = Path.Combine(data, "test_run_" + group.Key + ".dat");
                File.WriteAllLines(file, group.OrderBy(c => c.GetProperty("entries").GetInt32()).Select(c => string.Create(CultureInfo.InvariantCulture,
                    $"{c.GetProperty("entries").GetInt32()} 0 0 0 {c.GetProperty("ns_per_packet").GetDouble():F1}")));
                testRun.Add(($"microseg {group.Key} (BPF\\_PROG\\_TEST\\_RUN)", file));
            }
        }
        var script = new StringBuilder();
        script.Append("set terminal pngcairo size 1000,650 noenhanced\nset logscale xy\nset grid\nset key outside right\nset xlabel 'rules'\n");
        script.Append(CultureInfo.InvariantCulture, $"set output '{Path.Combine(directory, "throughput.png")}'\n");
        script.Append("set title 'Receive throughput, 64-byte UDP, receiver on one core (median, bars: min-max)'\nset ylabel 'kpps'\n");
        script.Append("plot ").AppendJoin(", ", throughputSeries.Select(s => $"'{s.File}' using 1:2:3:4 with yerrorlines title '{s.Title}'")).Append('\n');
        script.Append(CultureInfo.InvariantCulture, $"set output '{Path.Combine(directory, "ns_per_packet.png")}'\n");
        script.Append("set title 'ns per packet: receiver time at the median rate, and the datapath under BPF_PROG_TEST_RUN'\nset ylabel 'ns/packet'\n");
        script.Append("plot ").AppendJoin(", ", nsSeries.Concat(testRun).Select(s => $"'{s.File}' using 1:5 with linespoints title '{s.Title}'")).Append('\n');
        var scriptFile = Path.Combine(data, "charts.gnuplot");
        File.WriteAllText(scriptFile, script.ToString());
        var (code, _, error) = Shell.TryRun("gnuplot", [scriptFile], timeout: TimeSpan.FromSeconds(60));
        return code == 0 ? $"wrote {Path.Combine(directory, "throughput.png")} and {Path.Combine(directory, "ns_per_packet.png")}"
                         : $"gnuplot failed: {error.Trim()}";
    }
}
