namespace Microseg.Policy.Diagnostics;

/// <summary>One problem in a policy file, pointing at the exact key or value it is about.</summary>
/// <param name="File">The file the problem is in (an included file names itself).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Severity">Error (the policy is invalid) or warning.</param>
/// <param name="Message">One sentence, lower-case start, no trailing period.</param>
/// <param name="Hint">What to do about it, when something helpful can be said.</param>
public sealed record Diagnostic(
    string File, int Line, int Column, DiagnosticSeverity Severity, string Message, string? Hint = null)
{
    /// <summary>Creates a diagnostic at a position.</summary>
    public static Diagnostic At(SourcePosition at, DiagnosticSeverity severity, string message, string? hint = null) =>
        new(at.File, at.Line, at.Column, severity, message, hint);

    /// <summary>True for errors.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>
    /// <c>FILE:LINE:COL: error: message</c>, followed by <c>  hint: …</c> on its own line when
    /// there is a hint.
    /// </summary>
    public override string ToString()
    {
        string severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        string line = $"{File}:{Line}:{Column}: {severity}: {Message}";
        return Hint is null ? line : $"{line}\n  hint: {Hint}";
    }
}
