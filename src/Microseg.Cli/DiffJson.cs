using Microseg.Policy.Diagnostics;
using Microseg.Policy.Diff;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Cli;

/// <summary>
/// Renders <c>policy diff</c> as one JSON object for scripts. Every key is always present, so a
/// script can read <c>valid</c> first and then the lists without testing for absent keys.
/// </summary>
internal static class DiffJson
{
    /// <summary>
    /// <c>{valid: true, error: null, diagnostics: [], old, new, changed, modeChanges: [{endpoint, addresses, old, new,
    /// startsEnforcing, stopsEnforcing}], defaults: [FIELD], identities|endpoints|rules|boundaries|management:
    /// [{name, change, summary, fields: [FIELD]}]}</c>, where FIELD is <c>{field, old, new, added, removed}</c>.
    /// </summary>
    public static string Compared(string oldPath, string newPath, PolicyDiffResult result) =>
        Serialize(oldPath, newPath, valid: true, error: null, [], result);

    /// <summary>The same object with <c>valid: false</c>, the read failure or the errors, <c>changed: null</c> and empty lists.</summary>
    public static string Failed(string oldPath, string newPath, string? error, IReadOnlyList<Diagnostic> diagnostics) =>
        Serialize(oldPath, newPath, valid: false, error, diagnostics, result: null);

    private static string Serialize(
        string oldPath, string newPath, bool valid, string? error, IReadOnlyList<Diagnostic> diagnostics, PolicyDiffResult? result)
    {
        var document = new Dictionary<string, object?>
        {
            ["valid"] = valid,
            ["error"] = error,
            ["diagnostics"] = diagnostics.Select(d => new Dictionary<string, object?>
            {
                ["file"] = d.File,
                ["line"] = d.Line,
                ["column"] = d.Column,
                ["severity"] = d.IsError ? "error" : "warning",
                ["message"] = d.Message,
                ["hint"] = d.Hint,
            }).ToList(),
            ["old"] = oldPath,
            ["new"] = newPath,
            ["changed"] = result?.HasChanges,
            ["modeChanges"] = (result?.ModeChanges ?? []).Select(m => new Dictionary<string, object?>
            {
                ["endpoint"] = m.Endpoint,
                ["addresses"] = m.Addresses,
                ["old"] = Word(m.Old),
                ["new"] = Word(m.New),
                ["startsEnforcing"] = m.StartsEnforcing,
                ["stopsEnforcing"] = m.StopsEnforcing,
            }).ToList(),
            ["defaults"] = Fields(result?.Defaults ?? []),
            ["identities"] = Entries(result?.Identities ?? []),
            ["endpoints"] = Entries(result?.Endpoints ?? []),
            ["rules"] = Entries(result?.Rules ?? []),
            ["boundaries"] = Entries(result?.Boundaries ?? []),
            ["management"] = Entries(result?.Management ?? []),
        };
        return JsonTree.Write(document);
    }

    private static List<Dictionary<string, object?>> Entries(IReadOnlyList<EntryChange> entries) =>
        entries.Select(e => new Dictionary<string, object?>
        {
            ["name"] = e.Name,
            ["change"] = e.Kind.ToString().ToLowerInvariant(),
            ["summary"] = e.Summary,
            ["fields"] = Fields(e.Fields),
        }).ToList();

    private static List<Dictionary<string, object?>> Fields(IReadOnlyList<FieldChange> fields) =>
        fields.Select(f => new Dictionary<string, object?>
        {
            ["field"] = f.Field,
            ["old"] = f.Old,
            ["new"] = f.New,
            ["added"] = f.Added,
            ["removed"] = f.Removed,
        }).ToList();

    // The file format's words are the enum names in lower case (off, monitor, enforce).
    private static string? Word(EndpointMode? mode) => mode?.ToString().ToLowerInvariant();
}
