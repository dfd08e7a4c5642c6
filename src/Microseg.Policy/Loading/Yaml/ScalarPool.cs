namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// One string per distinct short scalar of a file: a large policy repeats the same keys, label
/// values, actions and protocols hundreds of thousands of times, and each would otherwise be a
/// string of its own. Not thread-safe: one per parse.
/// </summary>
internal sealed class ScalarPool
{
    // Keys and label values are short; longer scalars (addresses, names) rarely repeat.
    private const int MaxPooledLength = 24;

    // Bounds the pool for a file of mostly unique values (rule names): past it, values are
    // still looked up but no longer added.
    private const int MaxEntries = 16 * 1024;

    private readonly Dictionary<string, string> _strings;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public ScalarPool()
    {
        _strings = new Dictionary<string, string>(StringComparer.Ordinal);
        _bySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxPooledLength)
        {
            return text.ToString();
        }

        if (text.IsEmpty)
        {
            return "";
        }

        if (_bySpan.TryGetValue(text, out string? pooled))
        {
            return pooled;
        }

        string value = text.ToString();
        if (_strings.Count < MaxEntries)
        {
            _strings.Add(value, value);
        }

        return value;
    }
}
