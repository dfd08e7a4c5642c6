namespace Microseg.Policy.Compilation;

/// <summary>How one map's entries differ between two images.</summary>
/// <typeparam name="TKey">The image's key (slot-free).</typeparam>
/// <typeparam name="TValue">The image's value.</typeparam>
public sealed class MapDiff<TKey, TValue>
    where TKey : notnull
{
    /// <summary>Entries only the new image has.</summary>
    public List<KeyValuePair<TKey, TValue>> Added { get; } = [];

    /// <summary>Entries only the old image has, with their old value.</summary>
    public List<KeyValuePair<TKey, TValue>> Removed { get; } = [];

    /// <summary>Entries both have, with different values.</summary>
    public List<(TKey Key, TValue Before, TValue After)> Changed { get; } = [];

    /// <summary>Added, removed and changed entries together.</summary>
    public int Count => Added.Count + Removed.Count + Changed.Count;

    /// <summary>The differences between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static MapDiff<TKey, TValue> Between(IReadOnlyDictionary<TKey, TValue> before, IReadOnlyDictionary<TKey, TValue> after) =>
        Between(before, after, null);

    /// <summary>The differences under <paramref name="only"/> (when given: the two agree on every other key).</summary>
    internal static MapDiff<TKey, TValue> Between(IReadOnlyDictionary<TKey, TValue> before, IReadOnlyDictionary<TKey, TValue> after, IReadOnlySet<TKey>? only)
    {
        if (only is not null)
        {
            return Between(Restrict(before, only), Restrict(after, only), null);
        }

        var diff = new MapDiff<TKey, TValue>();
        EqualityComparer<TValue> equal = EqualityComparer<TValue>.Default;
        foreach ((TKey key, TValue value) in after)
        {
            if (!before.TryGetValue(key, out TValue? old))
            {
                diff.Added.Add(new KeyValuePair<TKey, TValue>(key, value));
            }
            else if (!equal.Equals(old, value))
            {
                diff.Changed.Add((key, old, value));
            }
        }

        foreach ((TKey key, TValue value) in before)
        {
            if (!after.ContainsKey(key))
            {
                diff.Removed.Add(new KeyValuePair<TKey, TValue>(key, value));
            }
        }

        return diff;
    }

    private static Dictionary<TKey, TValue> Restrict(IReadOnlyDictionary<TKey, TValue> map, IReadOnlySet<TKey> keys)
    {
        var restricted = new Dictionary<TKey, TValue>(keys.Count);
        foreach (TKey key in keys)
        {
            if (map.TryGetValue(key, out TValue? value))
            {
                restricted[key] = value;
            }
        }

        return restricted;
    }
}
