namespace Microseg.Policy.Diagnostics;

/// <summary>
/// Collects every problem found, so the user sees all of them at once; reports them ordered by
/// file (in the order files were read), then line, then column.
/// </summary>
internal sealed class DiagnosticBag
{
    // Insertion order breaks ties, so two problems at one node keep the order they were found in.
    private readonly List<Diagnostic> _items = [];

    // The order in which files were first seen: the main file, then includes in sorted order.
    private readonly List<string> _files = [];

    public bool HasErrors => _items.Any(d => d.IsError);

    public void NoteFile(string file)
    {
        if (!_files.Contains(file))
        {
            _files.Add(file);
        }
    }

    public void Error(SourcePosition at, string message, string? hint = null) =>
        Add(Diagnostic.At(at, DiagnosticSeverity.Error, message, hint));

    public void Warning(SourcePosition at, string message, string? hint = null) =>
        Add(Diagnostic.At(at, DiagnosticSeverity.Warning, message, hint));

    public void Add(Diagnostic diagnostic)
    {
        NoteFile(diagnostic.File);
        _items.Add(diagnostic);
    }

    /// <summary>Appends <paramref name="other"/>'s files and diagnostics, in their order, after this bag's.</summary>
    public void AddFrom(DiagnosticBag other)
    {
        foreach (string file in other._files)
        {
            NoteFile(file);
        }

        _items.AddRange(other._items);
    }

    public IReadOnlyList<Diagnostic> ToSortedList() =>
        _items.Select((d, index) => (d, index))
            .OrderBy(x => _files.IndexOf(x.d.File))
            .ThenBy(x => x.d.Line)
            .ThenBy(x => x.d.Column)
            .ThenBy(x => x.index)
            .Select(x => x.d)
            .ToList();
}
