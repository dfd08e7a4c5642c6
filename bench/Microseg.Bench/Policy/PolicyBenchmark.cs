using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy;
using Microseg.Policy.Compilation;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading;
using Microseg.Policy.Model;
using Microseg.Policy.Validation;

namespace Microseg.Bench.Policy;

/// <summary>
/// The policy pipeline at the issue's scale (100,000 rules, 10,000 identities): load,
/// validate, compile and apply into a real datapath; then the same for a policy with one
/// rule changed, applied over the first (compile is whole, the write is only the diff). Each
/// figure is the median of <c>rounds</c> measured rounds after one warm-up. Needs root and
/// the compiled eBPF objects.
/// </summary>
internal sealed class PolicyBenchmark(string objectDirectory, int identities, int rules, int rounds, TextWriter log)
{
    public const double CompileApplyTargetMs = 1000, OneRuleChangeTargetMs = 50;

    // The generated policy's rule ids pass the default 65,536 rule counters.
    private static readonly DatapathCapacities Capacities = DatapathCapacities.Default with { Rules = 131072 };

    public PolicyBenchReport Run()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"microseg-policy-bench-{Environment.ProcessId}");
        var generated = new GeneratedPolicy(identities, rules);
        string[] variants = [generated.WriteTo(Path.Combine(directory, "a"), 0), generated.WriteTo(Path.Combine(directory, "b"), 1)];
        try
        {
            var full = new List<Phases>();
            var change = new List<Phases>();
            CompiledPolicy? last = null;
            for (int round = 0; round <= rounds; round++)
            {
                using LoadedDatapath datapath = LoadedDatapath.Load(new DatapathOptions { ObjectDirectory = objectDirectory, Capacities = Capacities });
                var applier = new PolicyApplier(datapath, new SlotWriter(datapath.Maps));
                Phases first = Measure(variants[0], applier, null, out last);
                // The same policy again fills the other slot, so the change below is written
                // as a diff against a slot the writer knows (as in a running daemon).
                applier.Apply(last);
                Phases second = Measure(variants[1], applier, last, out last);
                log.WriteLine($"  round {round}{(round == 0 ? " (warm-up)" : "")}: full {first}; one-rule change {second}");
                if (round > 0)
                {
                    full.Add(first);
                    change.Add(second);
                }
            }

            return new PolicyBenchReport(full, change, last!, identities, rules);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Phases Measure(string path, PolicyApplier applier, CompiledPolicy? before, out CompiledPolicy compiled)
    {
        // The pieces of PolicyChecker.CheckFile, timed apart: reading and parsing every file
        // into the model, then the whole-policy checks.
        long start = Stopwatch.GetTimestamp();
        var bag = new DiagnosticBag();
        if (!PolicyFileReader.TryRead(path, out string text, out string failure))
        {
            throw new InvalidOperationException(failure);
        }

        PolicyDocument document = new PolicyLoader(bag).Load(path, text) ?? throw new InvalidOperationException("the generated policy did not load");
        long loaded = Stopwatch.GetTimestamp();
        new PolicyValidator(bag, document).Validate();
        // As PolicyChecker does: every diagnostic (the generated fleet policy has a warning for
        // each rule of another host), in order.
        IReadOnlyList<Diagnostic> diagnostics = bag.ToSortedList();
        if (diagnostics.Any(d => d.IsError))
        {
            throw new InvalidOperationException("the generated policy is invalid: " + string.Join("; ", diagnostics.Where(d => d.IsError).Take(3)));
        }

        long validated = Stopwatch.GetTimestamp();
        compiled = new PolicyCompiler().Compile(document, Capacities);
        long compiledAt = Stopwatch.GetTimestamp();
        int changed = before is null ? compiled.Image.Policies.Count : ImageDiff.Diff(before.Image, compiled.Image).Count;
        long diffed = Stopwatch.GetTimestamp();
        PolicyApplyResult applied = applier.Apply(compiled);
        long end = Stopwatch.GetTimestamp();
        if (!applied.Applied)
        {
            throw new InvalidOperationException("the generated policy does not fit: " + string.Join("; ", applied.Problems.Take(3)));
        }

        return new Phases(Ms(start, loaded), Ms(loaded, validated), Ms(validated, compiledAt), Ms(compiledAt, diffed), Ms(diffed, end), changed,
            applied.Written!.Value.Written + applied.Written!.Value.Deleted);

        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    }
}

/// <summary>One measured pass, by phase, in milliseconds.</summary>
/// <param name="LoadMs">Reading the files, parsing the YAML and building the model.</param>
/// <param name="ValidateMs">The whole-policy checks (names, addresses, selectors).</param>
/// <param name="CompileMs">Compiling the document to a slot image.</param>
/// <param name="DiffMs">The user-visible diff against the previous image.</param>
/// <param name="ApplyMs">Writing the standby slot and flipping.</param>
/// <param name="ChangedEntries">Entries that differ from the previous image (all of them for the first).</param>
/// <param name="WrittenEntries">Entries the slot writer wrote or deleted.</param>
internal readonly record struct Phases(double LoadMs, double ValidateMs, double CompileMs, double DiffMs, double ApplyMs, int ChangedEntries, int WrittenEntries)
{
    public double LoadValidateMs => LoadMs + ValidateMs;

    /// <summary>What follows a loaded, validated document: compile, diff and apply.</summary>
    public double CompileApplyMs => CompileMs + DiffMs + ApplyMs;

    public double TotalMs => LoadValidateMs + CompileApplyMs;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{TotalMs:F0} ms (load {LoadMs:F0}, validate {ValidateMs:F0}, compile {CompileMs:F1}, diff {DiffMs:F1}, apply {ApplyMs:F1}; {ChangedEntries} entries differ, {WrittenEntries} written)");
}

/// <summary>The table and artifacts/bench/policy.json.</summary>
internal sealed class PolicyBenchReport(List<Phases> full, List<Phases> change, CompiledPolicy compiled, int identities, int rules)
{
    public double CompileApplyMs => Median(full.Select(p => p.TotalMs));

    public double OneRuleChangeMs => Median(change.Select(p => p.TotalMs));

    public bool AllTargetsMet => CompileApplyMs <= PolicyBenchmark.CompileApplyTargetMs && OneRuleChangeMs <= PolicyBenchmark.OneRuleChangeTargetMs;

    public void WriteTable(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"policy: {rules} rules, {identities} identities -> {compiled.Image.Policies.Count} policy keys, {compiled.Image.Ports.Count} exact ports, {compiled.Image.Ranges.Count} range keys, {compiled.Image.RemoteHosts.Count} remote hosts, {compiled.Image.RemotePrefixes.Count} prefixes"));
        w.WriteLine($"{"case",-22}{"median ms",12}{"load",10}{"validate",10}{"compile",10}{"diff",8}{"apply",8}{"target",10}");
        Row("compile_apply_100k", full, PolicyBenchmark.CompileApplyTargetMs);
        Row("one_rule_change", change, PolicyBenchmark.OneRuleChangeTargetMs);

        void Row(string name, List<Phases> phases, double target)
        {
            double total = Median(phases.Select(p => p.TotalMs));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-22}{total,12:F1}{Median(phases.Select(p => p.LoadMs)),10:F1}{Median(phases.Select(p => p.ValidateMs)),10:F1}{Median(phases.Select(p => p.CompileMs)),10:F1}" +
                $"{Median(phases.Select(p => p.DiffMs)),8:F1}{Median(phases.Select(p => p.ApplyMs)),8:F1}{"<= " + target,10}  {(total <= target ? "ok" : "MISSED")}"));
        }
    }

    public void WriteJson(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = new Dictionary<string, object>
        {
            ["compile_apply_100k_ms"] = Math.Round(CompileApplyMs, 1),
            ["one_rule_change_ms"] = Math.Round(OneRuleChangeMs, 1),
            ["phases_ms"] = new Dictionary<string, object>
            {
                ["compile_apply_100k"] = PhaseMedians(full),
                ["one_rule_change"] = PhaseMedians(change),
            },
            ["rules"] = rules,
            ["identities"] = identities,
            ["rounds"] = full.Count,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static Dictionary<string, double> PhaseMedians(List<Phases> phases) => new()
    {
        ["load"] = Math.Round(Median(phases.Select(p => p.LoadMs)), 1),
        ["validate"] = Math.Round(Median(phases.Select(p => p.ValidateMs)), 1),
        ["load_validate"] = Math.Round(Median(phases.Select(p => p.LoadValidateMs)), 1),
        ["compile"] = Math.Round(Median(phases.Select(p => p.CompileMs)), 1),
        ["diff"] = Math.Round(Median(phases.Select(p => p.DiffMs)), 1),
        ["apply"] = Math.Round(Median(phases.Select(p => p.ApplyMs)), 1),
    };

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
