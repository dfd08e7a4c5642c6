namespace Microseg.Policy.Model;

/// <summary>
/// Answers "which identities does this selector select" from an index of label values, so a
/// policy of 100,000 rules over 10,000 identities costs one index probe per selector rather
/// than a scan of every identity. The answer is the same as testing
/// <see cref="Selector.Matches"/> on every identity, in the order identities were given, so the
/// validator (on any document, duplicates included) and the compiler share it.
/// </summary>
internal sealed class SelectorIndex
{
    private readonly IReadOnlyList<IdentityDefinition> _identities;
    // name -> indexes of the identities of that name, ascending (more than one only in a
    // document the validator rejects for duplicate names).
    private readonly Dictionary<string, List<int>> _byName = new(StringComparer.Ordinal);

    // label key -> label value -> indexes of the identities carrying it, ascending.
    private readonly Dictionary<string, Dictionary<string, List<int>>> _byLabel = new(StringComparer.Ordinal);

    // label key -> indexes of the identities carrying it with any value, ascending.
    private readonly Dictionary<string, List<int>> _byKey = new(StringComparer.Ordinal);

    private readonly int[] _all;

    public SelectorIndex(IReadOnlyList<IdentityDefinition> identities)
    {
        _identities = identities;
        _all = Enumerable.Range(0, identities.Count).ToArray();
        for (int i = 0; i < identities.Count; i++)
        {
            if (!_byName.TryGetValue(identities[i].Name, out List<int>? named))
            {
                named = [];
                _byName[identities[i].Name] = named;
            }

            named.Add(i);
            foreach ((string key, string value) in identities[i].Labels)
            {
                if (!_byLabel.TryGetValue(key, out Dictionary<string, List<int>>? values))
                {
                    values = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                    _byLabel[key] = values;
                    _byKey[key] = [];
                }

                if (!values.TryGetValue(value, out List<int>? holders))
                {
                    holders = [];
                    values[value] = holders;
                }

                holders.Add(i);
                _byKey[key].Add(i);
            }
        }
    }

    /// <summary>How many identities there are.</summary>
    public int Count => _identities.Count;

    /// <summary>The identity at <paramref name="index"/>.</summary>
    public IdentityDefinition this[int index] => _identities[index];

    /// <summary>
    /// Indexes of the identities <paramref name="selector"/> selects, ascending; when
    /// <paramref name="within"/> is given, only those it contains.
    /// </summary>
    public IReadOnlyList<int> Select(Selector selector, ISet<int>? within = null)
    {
        if (selector.Identity is not null)
        {
            if (!_byName.TryGetValue(selector.Identity, out List<int>? named))
            {
                return [];
            }

            return within is null ? named : named.Where(within.Contains).ToList();
        }

        IReadOnlyList<int> candidates = selector.Any ? _all : Candidates(selector);
        if (selector.Any && within is null)
        {
            return _all;
        }

        // Sized for the usual few candidates, so the list grows at most rarely.
        var selected = new List<int>(Math.Min(candidates.Count, 64));
        foreach (int index in candidates)
        {
            if ((within is null || within.Contains(index)) && selector.Matches(_identities[index]))
            {
                selected.Add(index);
            }
        }

        return selected;
    }

    /// <summary>True when <paramref name="selected"/> (from <see cref="Select"/> without a restriction) is every identity.</summary>
    public bool IsEverything(IReadOnlyList<int> selected) => selected.Count == _identities.Count;

    // The smallest posting list some positive test (matchLabels, In, Exists) requires an
    // identity to be on; every identity when there is none (NotIn alone). Matches() then
    // decides, so the candidates only have to be a superset.
    private IReadOnlyList<int> Candidates(Selector selector)
    {
        IReadOnlyList<int> best = _all;
        // Walked directly when it is a LabelMap: through the interface, foreach boxes an enumerator.
        if (selector.MatchLabels is LabelMap labels)
        {
            foreach ((string key, string value) in labels.Pairs)
            {
                best = Smaller(best, Posting(key, value));
            }
        }
        else
        {
            foreach ((string key, string value) in selector.MatchLabels)
            {
                best = Smaller(best, Posting(key, value));
            }
        }

        for (int i = 0; i < selector.MatchExpressions.Count; i++)
        {
            SelectorExpression expression = selector.MatchExpressions[i];
            switch (expression.Operator)
            {
                case SelectorOperator.Exists:
                    best = Smaller(best, _byKey.GetValueOrDefault(expression.Key) ?? (IReadOnlyList<int>)[]);
                    break;
                case SelectorOperator.In when expression.Values.Count == 1:
                    best = Smaller(best, _byLabel.GetValueOrDefault(expression.Key)?.GetValueOrDefault(expression.Values[0]) ?? (IReadOnlyList<int>)[]);
                    break;
                case SelectorOperator.In:
                    best = Smaller(best, _byKey.GetValueOrDefault(expression.Key) ?? (IReadOnlyList<int>)[]);
                    break;
                default:
                    break;
            }
        }

        return best;

        IReadOnlyList<int> Posting(string key, string value) =>
            _byLabel.GetValueOrDefault(key)?.GetValueOrDefault(value) ?? (IReadOnlyList<int>)[];

        static IReadOnlyList<int> Smaller(IReadOnlyList<int> a, IReadOnlyList<int> b) => b.Count < a.Count ? b : a;
    }
}
