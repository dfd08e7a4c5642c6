namespace Microseg.Policy.Diff;

/// <summary>Collects the fields of one entry that differ, in the order they are compared.</summary>
internal sealed class FieldDiffer
{
    // The differing fields so far, in the order the caller compared them (the file format's key order).
    private readonly List<FieldChange> _changes = [];

    public IReadOnlyList<FieldChange> Changes => _changes;

    /// <summary>Notes <paramref name="field"/> when its canonical renderings differ.</summary>
    public FieldDiffer Scalar(string field, string? old, string? @new)
    {
        if (!string.Equals(old, @new, StringComparison.Ordinal))
        {
            _changes.Add(FieldChange.Scalar(field, old, @new));
        }

        return this;
    }

    /// <summary>
    /// Notes a set-valued field when its items differ, with the items added and removed;
    /// <paramref name="empty"/> is how an empty set reads (<c>any</c> for ports, <c>none</c> for addresses).
    /// </summary>
    public FieldDiffer Set(string field, IReadOnlyList<string> old, IReadOnlyList<string> @new, string empty)
    {
        if (!old.SequenceEqual(@new, StringComparer.Ordinal))
        {
            var oldSet = old.ToHashSet(StringComparer.Ordinal);
            var newSet = @new.ToHashSet(StringComparer.Ordinal);
            _changes.Add(new FieldChange(
                field,
                Canonical.Join(old, empty),
                Canonical.Join(@new, empty),
                @new.Where(item => !oldSet.Contains(item)).ToList(),
                old.Where(item => !newSet.Contains(item)).ToList()));
        }

        return this;
    }

    /// <summary>Notes each label added, removed or given another value, as <c>labels.KEY</c>, keys in ordinal order.</summary>
    public FieldDiffer Labels(IReadOnlyDictionary<string, string> old, IReadOnlyDictionary<string, string> @new)
    {
        foreach (string key in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            Scalar($"labels.{key}", old.GetValueOrDefault(key), @new.GetValueOrDefault(key));
        }

        return this;
    }
}
