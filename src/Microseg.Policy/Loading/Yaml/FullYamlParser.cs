using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// All of YAML, through YamlDotNet: anchors and aliases, tags, block scalars, several documents,
/// and the wording and position of every syntax error. About ten times slower than
/// <see cref="SubsetYamlParser"/>, so used for what the subset parser declines.
/// </summary>
internal static class FullYamlParser
{
    public static ParsedYaml Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return new ParsedYaml([], e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16.3 throws these on some malformed documents (found by the differential
            // tests, e.g. a carriage return inside a flow list's plain scalar); a bad file must be
            // an error, never a crash of the daemon.
            return new ParsedYaml([], new YamlException(Mark.Empty, Mark.Empty,
                $"the YAML library failed without saying where in this file ({e.Message.TrimEnd('.')})", e));
        }

        // An alias is the node it refers to (YamlDotNet shares it): converted once, shared the
        // same way, so a document of aliases to aliases stays as small as it is in YamlDotNet.
        var tree = new SourceTree(text.Length / 6);
        var converted = new Dictionary<YamlNode, SourceNode>(ReferenceEqualityComparer.Instance);
        return new ParsedYaml(stream.Documents.Select(d => Convert(d.RootNode, tree, converted)).ToList(), null);
    }

    private static SourceNode Convert(YamlNode node, SourceTree tree, Dictionary<YamlNode, SourceNode> converted)
    {
        if (converted.TryGetValue(node, out SourceNode done))
        {
            return done;
        }

        int line = (int)node.Start.Line, column = (int)node.Start.Column, index = (int)node.Start.Index;
        SourceNode result = node switch
        {
            YamlMappingNode mapping => tree.AddCollection(SourceNodeKind.Mapping, line, column, index, mapping.Children
                .SelectMany(e => new[] { Convert(e.Key, tree, converted).Id, Convert(e.Value, tree, converted).Id }).ToArray()),
            YamlSequenceNode sequence => tree.AddCollection(SourceNodeKind.Sequence, line, column, index,
                sequence.Children.Select(c => Convert(c, tree, converted).Id).ToArray()),
            YamlScalarNode scalar => tree.AddScalar(line, column, index, scalar.Value ?? "", scalar.Style == ScalarStyle.Plain),
            // YamlStream resolves every alias or throws; an unresolved one would be a YamlDotNet bug.
            _ => throw new InvalidOperationException($"unexpected YAML node {node.GetType().Name} at {node.Start}"),
        };
        converted[node] = result;
        return result;
    }
}
