namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// The scalars' text of one <see cref="SourceTree"/>, each distinct short one stored once: a large
/// policy repeats the same keys, label values, actions and protocols hundreds of thousands of
/// times. Nodes hold an index into the table rather than a reference, so the garbage collector
/// has no need to scan the node arrays. Not thread-safe: one per tree.
/// </summary>
internal sealed class StringTable
{
    // Keys and label values are short; longer scalars (addresses, names) rarely repeat.
    private const int MaxPooledLength = 24;

    // Bounds the lookup for a file of mostly unique values (rule names): past it, values are
    // still found but new ones no longer remembered.
    private const int MaxPooled = 16 * 1024;

    private readonly List<string> _strings = [""];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;

    public StringTable() => _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    public string this[int id] => _strings[id];

    /// <summary>The id of <paramref name="text"/>, stored if new.</summary>
    public int Id(ReadOnlySpan<char> text)
    {
        if (text.Length <= MaxPooledLength && _idsBySpan.TryGetValue(text, out int id))
        {
            return id;
        }

        return Store(text.ToString());
    }

    /// <summary>The id of <paramref name="text"/>, stored if new.</summary>
    public int Id(string text) =>
        text.Length <= MaxPooledLength && _ids.TryGetValue(text, out int id) ? id : Store(text);

    private int Store(string text)
    {
        int id = _strings.Count;
        _strings.Add(text);
        if (text.Length <= MaxPooledLength && _ids.Count < MaxPooled)
        {
            _ids.Add(text, id);
        }

        return id;
    }
}
