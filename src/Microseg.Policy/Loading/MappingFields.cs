using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading.Yaml;

namespace Microseg.Policy.Loading;

/// <summary>
/// The keys of one mapping, already checked against the keys it may have. Lookups scan the
/// mapping's few entries: cheaper than a dictionary per mapping in a policy of 100,000 rules,
/// and a key appears once (both parsers refuse a repeated one). A struct: one per mapping read.
/// </summary>
internal readonly struct MappingFields(SourceNode node, SourcePosition position)
{
    /// <summary>The mapping itself.</summary>
    public SourceNode Node { get; } = node;

    /// <summary>Where the mapping starts.</summary>
    public SourcePosition Position { get; } = position;

    public bool Has(string key) => Find(key) >= 0;

    public SourceNode? Value(string key) => Find(key) is >= 0 and int i ? Node.Entries.Value(i) : null;

    public SourceNode? Key(string key) => Find(key) is >= 0 and int i ? Node.Entries.Key(i) : null;

    /// <summary>The value of a key the caller knows is present.</summary>
    public SourceNode ValueOf(string key) => Value(key) ?? throw new KeyNotFoundException(key);

    /// <summary>The key node of a key the caller knows is present.</summary>
    public SourceNode KeyOf(string key) => Key(key) ?? throw new KeyNotFoundException(key);

    private int Find(string key)
    {
        SourceEntryList entries = Node.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            SourceNode candidate = entries.Key(i);
            if (candidate.IsScalar && string.Equals(candidate.Value, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
