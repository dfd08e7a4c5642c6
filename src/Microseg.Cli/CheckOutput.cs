using Microseg.Policy;
using Microseg.Policy.Diagnostics;

namespace Microseg.Cli;

/// <summary>Renders the result of <c>policy check</c> as text or JSON.</summary>
internal static class CheckOutput
{
    /// <summary>One diagnostic per line (with its hint line), then a one-line summary.</summary>
    public static void Text(string path, PolicyCheckResult result, TextWriter output)
    {
        if (result.ReadFailure is not null)
        {
            return; // the caller writes the one sentence to stderr
        }

        foreach (Diagnostic diagnostic in result.Diagnostics)
        {
            output.WriteLine(diagnostic.ToString());
        }

        int errors = result.Diagnostics.Count(d => d.IsError);
        int warnings = result.Diagnostics.Count - errors;
        string counts = $"{Plural(errors, "error")}, {Plural(warnings, "warning")}";
        output.WriteLine(result.IsValid ? $"{path}: valid ({counts})" : $"{path}: invalid ({counts})");
    }

    /// <summary><c>{"valid": …, "error": …, "diagnostics": [{file, line, column, severity, message, hint}]}</c>.</summary>
    public static string Json(PolicyCheckResult result)
    {
        var document = new Dictionary<string, object?>
        {
            ["valid"] = result.IsValid,
            ["error"] = result.ReadFailure,
            ["diagnostics"] = result.Diagnostics.Select(d => new Dictionary<string, object?>
            {
                ["file"] = d.File,
                ["line"] = d.Line,
                ["column"] = d.Column,
                ["severity"] = d.IsError ? "error" : "warning",
                ["message"] = d.Message,
                ["hint"] = d.Hint,
            }).ToList(),
        };
        return JsonTree.Write(document);
    }

    private static string Plural(int count, string word) => count == 1 ? $"1 {word}" : $"{count} {word}s";
}
