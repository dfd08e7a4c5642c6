using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading.Yaml;

namespace Microseg.Policy.Loading;

/// <summary>
/// The keys of one mapping, already checked against the keys it may have. Lookups scan the
/// mapping's few entries: cheaper than a dictionary per mapping in a policy of 100,000 rules,
/// and a key appears once (both parsers refuse a repeated one).
/// </summary>
internal sealed class MappingFields(SourceMapping node, SourcePosition position)
{
    /// <summary>The mapping itself.</summary>
    public SourceMapping Node { get; } = node;

    /// <summary>Where the mapping starts.</summary>
    public SourcePosition Position { get; } = position;

    public bool Has(string key) => Find(key) >= 0;

    public SourceNode? Value(string key) => Find(key) is >= 0 and int i ? Node.Entries[i].Value : null;

    public SourceScalar? Key(string key) => Find(key) is >= 0 and int i ? (SourceScalar)Node.Entries[i].Key : null;

    private int Find(string key)
    {
        IReadOnlyList<KeyValuePair<SourceNode, SourceNode>> entries = Node.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key is SourceScalar scalar && string.Equals(scalar.Value, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
