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

    public IReadOnlyList<Diagnostic> ToSortedList()
    {
        // One sort over precomputed keys: a 100,000-rule policy can have as many warnings.
        var fileOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _files.Count; i++)
        {
            fileOrder.TryAdd(_files[i], i);
        }

        var keys = new (int File, int Line, int Column, int Index)[_items.Count];
        for (int i = 0; i < _items.Count; i++)
        {
            Diagnostic d = _items[i];
            keys[i] = (fileOrder.GetValueOrDefault(d.File, -1), d.Line, d.Column, i);
        }

        // The index is the last key, so equal positions keep the order they were found in.
        Array.Sort(keys);
        var sorted = new List<Diagnostic>(keys.Length);
        foreach ((_, _, _, int index) in keys)
        {
            sorted.Add(_items[index]);
        }

        return sorted;
    }
}
