using Microseg.Policy.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Microseg.Policy.Loading;

/// <summary>
/// Reads YAML nodes of one file into values, reporting every problem at the node it is about and
/// carrying on, so that one pass finds all of them.
/// </summary>
internal sealed class NodeReader(DiagnosticBag bag, string file)
{
    public DiagnosticBag Bag => bag;

    public string File => file;

    public SourcePosition At(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>
    /// The keys of <paramref name="node"/>, which must be a mapping with only <paramref name="known"/>
    /// keys and every one of <paramref name="required"/>; null (reported) when it is no mapping.
    /// </summary>
    public MappingFields? Fields(YamlNode node, string what, IReadOnlyList<string> known, params string[] required)
    {
        if (node is not YamlMappingNode mapping)
        {
            bag.Error(At(node), $"{what} must be a mapping, not {Describe(node)}");
            return null;
        }

        var fields = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                bag.Error(At(keyNode), $"a key in {what} must be a single word, not {Describe(keyNode)}");
                continue;
            }

            if (!known.Contains(key))
            {
                string? close = Suggestions.Closest(key, known);
                bag.Error(At(keyNode), $"unknown key '{key}' in {what}",
                    close is not null ? $"did you mean '{close}'?" : $"expected one of: {string.Join(", ", known)}");
                continue;
            }

            fields[key] = (scalarKey, value);
        }

        foreach (string key in required.Where(k => !fields.ContainsKey(k)))
        {
            bag.Error(At(mapping), $"missing required key '{key}' in {what}");
        }

        return new MappingFields(mapping, At(mapping), fields);
    }

    /// <summary>The text of a single value; null (reported) when it is a list, a mapping or empty.</summary>
    public string? Text(YamlNode node, string what)
    {
        if (node is not YamlScalarNode scalar)
        {
            bag.Error(At(node), $"{what} must be a single value, not {Describe(node)}");
            return null;
        }

        if (string.IsNullOrEmpty(scalar.Value))
        {
            bag.Error(At(node), $"{what} needs a value");
            return null;
        }

        return scalar.Value;
    }

    /// <summary>The items of a list; empty (reported) when the node is no list.</summary>
    public IReadOnlyList<YamlNode> List(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children.ToList();
        }

        // "key:" with nothing after it is an empty list, the natural reading of e.g. "management:".
        if (node is YamlScalarNode { Value: null or "" } scalar && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain)
        {
            return [];
        }

        bag.Error(At(node), $"{what} must be a list, not {Describe(node)}");
        return [];
    }

    /// <summary>One of <paramref name="choices"/>; default (reported) otherwise, with a suggestion when close.</summary>
    public T? Choice<T>(YamlNode node, string what, IReadOnlyDictionary<string, T> choices)
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
        bag.Error(At(node), $"invalid {what} '{text}': expected one of {string.Join(", ", choices.Keys)}",
            close is not null ? $"did you mean '{close}'?" : null);
        return null;
    }

    /// <summary>A string-to-string mapping such as labels; keys must match the label syntax.</summary>
    public Dictionary<string, string> Labels(YamlNode node, string what)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            bag.Error(At(node), $"{what} must be a mapping of label keys to values, not {Describe(node)}");
            return labels;
        }

        foreach ((YamlNode keyNode, YamlNode valueNode) in mapping.Children)
        {
            string? key = Text(keyNode, "a label key");
            string? value = Text(valueNode, $"label '{key}'");
            if (key is null || value is null)
            {
                continue;
            }

            if (!Names.IsLabel(key))
            {
                bag.Error(At(keyNode), $"invalid label key '{key}': use letters, digits, '.', '_', '/' and '-'");
            }
            else if (!Names.IsLabel(value))
            {
                bag.Error(At(valueNode), $"invalid value '{value}' for label '{key}': use letters, digits, '.', '_', '/' and '-'");
            }
            else
            {
                labels[key] = value;
            }
        }

        return labels;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "an empty value",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };
}
