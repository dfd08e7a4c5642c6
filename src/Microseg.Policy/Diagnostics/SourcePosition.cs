namespace Microseg.Policy.Diagnostics;

/// <summary>Where something was written: a file and a 1-based line and column.</summary>
/// <param name="File">The path as the user gave it (the main file) or as found by an include.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    /// <summary>The start of a file, for problems that belong to no particular node.</summary>
    public static SourcePosition StartOf(string file) => new(file, 1, 1);

    /// <summary>Renders as <c>FILE:LINE:COL</c>, the form editors and compilers use.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}
