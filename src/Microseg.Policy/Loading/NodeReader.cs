using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading.Yaml;
using Microseg.Policy.Model;

namespace Microseg.Policy.Loading;

/// <summary>
/// Reads the parsed nodes of one file into values, reporting every problem at the node it is about and
/// carrying on, so that one pass finds all of them.
/// </summary>
internal sealed class NodeReader(DiagnosticBag bag, string file)
{
    // The labels of the mapping being read (one reader reads one file, on one thread).
    private readonly List<KeyValuePair<string, string>> _labels = [];

    public DiagnosticBag Bag => bag;

    public string File => file;

    public SourcePosition At(SourceNode node) => new(file, node.Line, node.Column);

    /// <summary>
    /// The keys of <paramref name="node"/>, which must be a mapping with only <paramref name="known"/>
    /// keys and every one of <paramref name="required"/>; null (reported) when it is no mapping.
    /// </summary>
    public MappingFields? Fields(SourceNode node, string what, IReadOnlyList<string> known, params ReadOnlySpan<string> required)
    {
        if (!node.IsMapping)
        {
            bag.Error(At(node), $"{what} must be a mapping, not {Describe(node)}");
            return null;
        }

        SourceNode mapping = node;
        foreach ((SourceNode keyNode, _) in mapping.Entries)
        {
            string key = keyNode.Value;
            if (!keyNode.IsScalar)
            {
                bag.Error(At(keyNode), $"a key in {what} must be a single word, not {Describe(keyNode)}");
                continue;
            }

            if (!Contains(known, key))
            {
                string? close = Suggestions.Closest(key, known);
                bag.Error(At(keyNode), $"unknown key '{Quote.Short(key)}' in {what}",
                    close is not null ? $"did you mean '{close}'?" : $"expected one of: {string.Join(", ", known)}");
            }
        }

        var fields = new MappingFields(mapping, At(mapping));
        foreach (string key in required)
        {
            if (!fields.Has(key))
            {
                bag.Error(At(mapping), $"missing required key '{key}' in {what}");
            }
        }

        return fields;

        static bool Contains(IReadOnlyList<string> known, string key)
        {
            for (int i = 0; i < known.Count; i++)
            {
                if (string.Equals(known[i], key, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The text of a single value; null (reported) when it is a list, a mapping or empty.</summary>
    public string? Text(SourceNode node, string what)
    {
        if (!node.IsScalar)
        {
            bag.Error(At(node), $"{what} must be a single value, not {Describe(node)}");
            return null;
        }

        if (node.Value.Length == 0)
        {
            bag.Error(At(node), $"{what} needs a value");
            return null;
        }

        return node.Value;
    }

    /// <summary>The items of a list; empty (reported) when the node is no list.</summary>
    public SourceNodeList List(SourceNode node, string what)
    {
        if (node.IsSequence)
        {
            return node.Items;
        }

        // "key:" with nothing after it is an empty list, the natural reading of e.g. "management:".
        if (node.IsScalar && node.Value.Length == 0 && node.IsPlain)
        {
            return default;
        }

        bag.Error(At(node), $"{what} must be a list, not {Describe(node)}");
        return default;
    }

    /// <summary>One of <paramref name="choices"/>; default (reported) otherwise, with a suggestion when close.</summary>
    public T? Choice<T>(SourceNode node, string what, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        string? text = Text(node, what);
        if (text is null)
        {
            return null;
        }

        if (choices.TryGetValue(text, out T value))
        {
            return value;
        }

        string? close = Suggestions.Closest(text, choices.Keys);
        bag.Error(At(node), $"invalid {what} '{Quote.Short(text)}': expected one of {string.Join(", ", choices.Keys)}",
            close is not null ? $"did you mean '{close}'?" : null);
        return null;
    }

    /// <summary>A string-to-string mapping such as labels; keys must match the label syntax.</summary>
    public LabelMap Labels(SourceNode node, string what)
    {
        if (!node.IsMapping)
        {
            bag.Error(At(node), $"{what} must be a mapping of label keys to values, not {Describe(node)}");
            return LabelMap.Empty;
        }

        _labels.Clear();
        foreach ((SourceNode keyNode, SourceNode valueNode) in node.Entries)
        {
            string? key = Text(keyNode, "a label key");
            // The description names the key: built only when the value is wrong.
            string? value = valueNode.IsScalar && valueNode.Value.Length > 0 ? valueNode.Value : Text(valueNode, $"label '{key}'");
            if (key is null || value is null)
            {
                continue;
            }

            if (!Names.IsLabel(key))
            {
                bag.Error(At(keyNode), $"invalid label key '{Quote.Short(key)}': use letters, digits, '.', '_', '/' and '-'");
            }
            else if (!Names.IsLabel(value))
            {
                bag.Error(At(valueNode), $"invalid value '{Quote.Short(value)}' for label '{Quote.Short(key)}': use letters, digits, '.', '_', '/' and '-'");
            }
            else
            {
                SetLabel(key, value);
            }
        }

        return _labels.Count == 0 ? LabelMap.Empty : new LabelMap([.. _labels]);
    }

    // Keys are distinct (YAML refuses a repeated one); last wins regardless, as in a dictionary.
    private void SetLabel(string key, string value)
    {
        for (int i = 0; i < _labels.Count; i++)
        {
            if (_labels[i].Key == key)
            {
                _labels[i] = KeyValuePair.Create(key, value);
                return;
            }
        }

        _labels.Add(KeyValuePair.Create(key, value));
    }

    public static string Describe(SourceNode node) => node.Kind switch
    {
        SourceNodeKind.Mapping => "a mapping",
        SourceNodeKind.Sequence => "a list",
        _ => node.Value.Length == 0 ? "an empty value" : $"'{Quote.Short(node.Value)}'",
    };
}
