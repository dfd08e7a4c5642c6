using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Microseg.Policy.Model;

/// <summary>
/// A small read-only map of label keys to values, in the order written: what the loader builds
/// for every identity's labels and every selector's matchLabels. An array of pairs searched in
/// order is a third of a Dictionary's size (a 100,000-rule policy has 200,000 of these) and as
/// quick for the few labels one identity or selector has.
/// </summary>
internal sealed class LabelMap : IReadOnlyDictionary<string, string>
{
    public static readonly LabelMap Empty = new([]);

    private readonly KeyValuePair<string, string>[] _pairs;

    /// <param name="pairs">Distinct keys, in order; kept, not copied.</param>
    public LabelMap(KeyValuePair<string, string>[] pairs) => _pairs = pairs;

    /// <summary>The pairs in order, for loops that must not allocate an enumerator.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Pairs => _pairs;

    public int Count => _pairs.Length;

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<string> Values => _pairs.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"no label '{key}'");

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (KeyValuePair<string, string> pair in _pairs)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>This map without <paramref name="key"/>.</summary>
    public LabelMap Without(string key) => new(_pairs.Where(p => p.Key != key).ToArray());

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
