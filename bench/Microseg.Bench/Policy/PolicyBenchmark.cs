using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy;
using Microseg.Policy.Compilation;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Loading;
using Microseg.Policy.Model;
using Microseg.Policy.Validation;

namespace Microseg.Bench.Policy;

/// <summary>
/// The policy pipeline at the issue's scale (100,000 rules, 10,000 identities): load,
/// validate, compile and apply into a real datapath; then the same for a policy with one
/// rule changed in place, compiled from the live policy (only what the change reaches) and
/// written as a diff. Compile and apply are microsegd's own: the <see cref="PolicyApplier"/>
/// its reloader drives, called as the reloader calls it. Each
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
        try
        {
            var full = new List<Phases>();
            var change = new List<Phases>();
            CompiledPolicy? last = null;
            for (int round = 0; round <= rounds; round++)
            {
                using LoadedDatapath datapath = LoadedDatapath.Load(new DatapathOptions { ObjectDirectory = objectDirectory, Capacities = Capacities });
                var applier = new PolicyApplier(new SlotWriter(datapath.Maps), datapath.Options.Capacities);
                string path = generated.WriteTo(directory, 0);
                Phases first = Measure(path, applier, out last);
                // The same policy again fills the other slot, so the change below is written
                // as a diff against a slot the writer knows (as in a running daemon).
                applier.Apply(applier.LiveDocument!, last, NoInterfaces);
                // The file changes in place, as a configuration manager changes it; the new
                // document is loaded and validated whole, then compiled from the live policy.
                generated.WriteTo(directory, 1);
                Phases second = Measure(path, applier, out last);
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

    // The daemon with no interface attached yet: no interface owners to write.
    private static readonly (uint, InterfaceOwner)[] NoInterfaces = [];

    private static Phases Measure(string path, PolicyApplier applier, out CompiledPolicy compiled)
    {
        CompiledPolicy? before = applier.Live;
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
        // As PolicyReloader does: compiled from the live policy, then checked against the
        // maps' capacities, the interface owners filled in, written and flipped.
        compiled = applier.Compile(document);
        long compiledAt = Stopwatch.GetTimestamp();
        PolicyApplyResult applied = applier.Apply(document, compiled, NoInterfaces);
        long end = Stopwatch.GetTimestamp();
        if (!applied.Applied)
        {
            throw new InvalidOperationException("the generated policy does not fit: " + string.Join("; ", applied.Problems.Take(3)));
        }

        // Reported, not timed: the daemon computes no diff when it applies.
        int changed = before is null ? compiled.Image.Policies.Count : ImageDiff.Diff(before, compiled).Count;
        return new Phases(Ms(start, loaded), Ms(loaded, validated), Ms(validated, compiledAt), Ms(compiledAt, end), applied.Incremental, changed,
            applied.Written!.Value.Written + applied.Written!.Value.Deleted);

        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    }
}

/// <summary>One measured pass, by phase, in milliseconds.</summary>
/// <param name="LoadMs">Reading the files, parsing the YAML and building the model.</param>
/// <param name="ValidateMs">The whole-policy checks (names, addresses, selectors).</param>
/// <param name="CompileMs">Compiling the document to a slot image.</param>
/// <param name="ApplyMs">The capacity check, the interface owners, writing the standby slot and flipping.</param>
/// <param name="Incremental">True when the compile reused the live policy and the writer compared only what changed.</param>
/// <param name="ChangedEntries">Entries that differ from the previous image (all of them for the first).</param>
/// <param name="WrittenEntries">Entries the slot writer wrote or deleted.</param>
internal readonly record struct Phases(double LoadMs, double ValidateMs, double CompileMs, double ApplyMs, bool Incremental, int ChangedEntries, int WrittenEntries)
{
    public double LoadValidateMs => LoadMs + ValidateMs;

    /// <summary>What follows a loaded, validated document: compile and apply.</summary>
    public double CompileApplyMs => CompileMs + ApplyMs;

    public double TotalMs => LoadValidateMs + CompileApplyMs;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{TotalMs:F0} ms (load {LoadMs:F0}, validate {ValidateMs:F0}, compile {CompileMs:F1}{(Incremental ? " incremental" : "")}, apply {ApplyMs:F1}; {ChangedEntries} entries differ, {WrittenEntries} written)");
}

/// <summary>The table and artifacts/bench/policy.json.</summary>
internal sealed class PolicyBenchReport(List<Phases> full, List<Phases> change, CompiledPolicy compiled, int identities, int rules)
{
    public double CompileApplyMs => Median(full.Select(p => p.TotalMs));

    /// <summary>
    /// The target figure: compile and apply of the changed document, once loaded and
    /// validated (their cost is reported apart, in <see cref="OneRuleChangeEndToEndMs"/>).
    /// </summary>
    public double OneRuleChangeMs => Median(change.Select(p => p.CompileApplyMs));

    /// <summary>File changed to policy live: load, validate, compile and apply.</summary>
    public double OneRuleChangeEndToEndMs => Median(change.Select(p => p.TotalMs));

    public bool AllTargetsMet => CompileApplyMs <= PolicyBenchmark.CompileApplyTargetMs && OneRuleChangeMs <= PolicyBenchmark.OneRuleChangeTargetMs;

    public void WriteTable(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"policy: {rules} rules, {identities} identities -> {compiled.Image.Policies.Count} policy keys, {compiled.Image.Ports.Count} exact ports, {compiled.Image.Ranges.Count} range keys, {compiled.Image.RemoteHosts.Count} remote hosts, {compiled.Image.RemotePrefixes.Count} prefixes"));
        w.WriteLine($"{"case",-28}{"median ms",12}{"load",10}{"validate",10}{"compile",10}{"apply",8}{"target",10}");
        Row("compile_apply_100k", full, p => p.TotalMs, PolicyBenchmark.CompileApplyTargetMs);
        Row("one_rule_change", change, p => p.CompileApplyMs, PolicyBenchmark.OneRuleChangeTargetMs);
        Row("one_rule_change_end_to_end", change, p => p.TotalMs, null);
        w.WriteLine("(compile and apply are microsegd's PolicyApplier; one_rule_change is compile + apply of the loaded, validated change)");

        void Row(string name, List<Phases> phases, Func<Phases, double> measure, double? target)
        {
            double total = Median(phases.Select(measure));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-28}{total,12:F1}{Median(phases.Select(p => p.LoadMs)),10:F1}{Median(phases.Select(p => p.ValidateMs)),10:F1}{Median(phases.Select(p => p.CompileMs)),10:F1}" +
                $"{Median(phases.Select(p => p.ApplyMs)),8:F1}{(target is null ? "" : "<= " + target),10}  {(target is null ? "" : total <= target ? "ok" : "MISSED")}"));
        }
    }

    public void WriteJson(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = new Dictionary<string, object>
        {
            ["compile_apply_100k_ms"] = Math.Round(CompileApplyMs, 1),
            ["one_rule_change_ms"] = Math.Round(OneRuleChangeMs, 1),
            ["one_rule_change_end_to_end_ms"] = Math.Round(OneRuleChangeEndToEndMs, 1),
            ["one_rule_change_load_validate_ms"] = Math.Round(Median(change.Select(p => p.LoadValidateMs)), 1),
            ["one_rule_change_incremental"] = change.All(p => p.Incremental),
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
        ["apply"] = Math.Round(Median(phases.Select(p => p.ApplyMs)), 1),
    };

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
