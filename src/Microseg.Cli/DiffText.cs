using Microseg.Policy;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Diff;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Cli;

/// <summary>
/// Renders <c>policy diff</c> for a person: mode changes first under their own heading (monitor to
/// enforce is where packets start being dropped), then one section per list of the file, each
/// entry marked <c>+</c> added, <c>-</c> removed or <c>~</c> changed, then a one-line count.
/// </summary>
/// <param name="output">Where the text goes.</param>
/// <param name="colour">True to add ANSI colours (only for a terminal).</param>
internal sealed class DiffText(TextWriter output, bool colour)
{
    private const string Bold = "\e[1m";
    private const string Red = "\e[31m";
    private const string Green = "\e[32m";
    private const string Yellow = "\e[33m";
    private const string Reset = "\e[0m";

    /// <summary>Each invalid file's errors as <c>FILE:LINE:COL: error: …</c>, then a line saying nothing was compared.</summary>
    public static void Invalid(IEnumerable<(string Path, PolicyCheckResult Result)> files, TextWriter output)
    {
        foreach ((string path, PolicyCheckResult result) in files.Where(f => !f.Result.IsValid))
        {
            List<Diagnostic> errors = result.Diagnostics.Where(d => d.IsError).ToList();
            foreach (Diagnostic diagnostic in errors)
            {
                output.WriteLine(diagnostic.ToString());
            }

            output.WriteLine($"{path}: invalid ({Count(errors.Count, "error")}); nothing compared");
        }
    }

    public void Write(string oldPath, string newPath, PolicyDiffResult result)
    {
        output.WriteLine($"policy diff {oldPath} -> {newPath}");
        if (!result.HasChanges)
        {
            output.WriteLine("no differences");
            return;
        }

        if (result.ModeChanges.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(Paint(Bold, "MODE CHANGES"));
            foreach (ModeChange change in result.ModeChanges)
            {
                string line = $"  ! {change.Endpoint} ({string.Join(", ", change.Addresses)}): " +
                              $"{Word(change.Old) ?? "(no endpoint)"} -> {Word(change.New) ?? "(no endpoint)"}: {Meaning(change)}";
                output.WriteLine(change.StartsEnforcing ? Paint(Bold + Red, line) : Paint(Bold, line));
            }
        }

        if (result.Defaults.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(Paint(Bold, "defaults"));
            foreach (FieldChange field in result.Defaults)
            {
                output.WriteLine(Paint(Yellow, $"  ~ {Field(field)}"));
            }
        }

        Section("identities", result.Identities);
        Section("endpoints", result.Endpoints);
        Section("rules", result.Rules);
        Section("boundaries", result.Boundaries);
        Section("management", result.Management);

        output.WriteLine();
        output.WriteLine(Totals(result));
    }

    private void Section(string title, IReadOnlyList<EntryChange> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(Paint(Bold, title));
        foreach (EntryChange entry in entries)
        {
            switch (entry.Kind)
            {
                case ChangeKind.Added:
                    output.WriteLine(Paint(Green, $"  + {entry.Name}: {entry.Summary}"));
                    break;
                case ChangeKind.Removed:
                    output.WriteLine(Paint(Red, $"  - {entry.Name}: {entry.Summary}"));
                    break;
                default:
                    output.WriteLine(Paint(Yellow, $"  ~ {entry.Name}"));
                    foreach (FieldChange field in entry.Fields)
                    {
                        output.WriteLine($"      {Field(field)}");
                    }

                    break;
            }
        }
    }

    // "mode: monitor -> enforce", "labels.team: (none) -> payments",
    // "addresses: 10.0.0.1 -> 10.0.0.1, 10.0.0.2 (added 10.0.0.2)".
    private static string Field(FieldChange field)
    {
        string line = $"{field.Field}: {field.Old ?? "(none)"} -> {field.New ?? "(none)"}";
        var items = new List<string>();
        if (field.Added.Count > 0)
        {
            items.Add($"added {string.Join(", ", field.Added)}");
        }

        if (field.Removed.Count > 0)
        {
            items.Add($"removed {string.Join(", ", field.Removed)}");
        }

        return items.Count == 0 ? line : $"{line} ({string.Join("; ", items)})";
    }

    // What the mode change means for the packets of that endpoint, in the operator's terms.
    private static string Meaning(ModeChange change) => (change.Old, change.New) switch
    {
        (_, null) => "its traffic will no longer be judged",
        (_, EndpointMode.Enforce) => "starts enforcing: what the policy denies will be dropped",
        (EndpointMode.Enforce, EndpointMode.Monitor) => "stops enforcing: what the policy denies will pass and be reported",
        (EndpointMode.Enforce, _) => "stops enforcing: nothing will be dropped or reported",
        (_, EndpointMode.Monitor) => "what the policy denies will be reported, not dropped",
        _ => "nothing will be dropped or reported",
    };

    private static string Totals(PolicyDiffResult result)
    {
        var parts = new List<string>();
        if (result.Defaults.Count > 0)
        {
            parts.Add($"defaults ~{result.Defaults.Count}");
        }

        foreach ((string title, IReadOnlyList<EntryChange> entries) in new[]
                 {
                     ("identities", result.Identities), ("endpoints", result.Endpoints), ("rules", result.Rules),
                     ("boundaries", result.Boundaries), ("management", result.Management),
                 })
        {
            if (entries.Count > 0)
            {
                parts.Add($"{title} {Marked(entries, ChangeKind.Added, "+")}{Marked(entries, ChangeKind.Removed, "-")}{Marked(entries, ChangeKind.Changed, "~")}".TrimEnd());
            }
        }

        int enforcing = result.ModeChanges.Count(m => m.StartsEnforcing);
        string modes = result.ModeChanges.Count == 0
            ? "no mode changes"
            : $"{Count(result.ModeChanges.Count, "mode change")} ({enforcing} {(enforcing == 1 ? "starts" : "start")} enforcing)";
        return $"{string.Join(", ", parts)}; {modes}";
    }

    // "+3 " when three entries were added, "" when none.
    private static string Marked(IReadOnlyList<EntryChange> entries, ChangeKind kind, string marker) =>
        entries.Count(e => e.Kind == kind) is > 0 and var count ? $"{marker}{count} " : "";

    private static string? Word(EndpointMode? mode) => mode?.ToString().ToLowerInvariant();

    private static string Count(int count, string word) => count == 1 ? $"1 {word}" : $"{count} {word}s";

    private string Paint(string style, string text) => colour ? $"{style}{text}{Reset}" : text;
}
