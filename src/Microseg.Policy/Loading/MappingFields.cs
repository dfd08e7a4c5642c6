using Microseg.Policy.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Microseg.Policy.Loading;

/// <summary>The keys of one YAML mapping, already checked against the keys it may have.</summary>
internal sealed class MappingFields
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _fields;

    public MappingFields(YamlMappingNode node, SourcePosition position, Dictionary<string, (YamlScalarNode, YamlNode)> fields)
    {
        Node = node;
        Position = position;
        _fields = fields;
    }

    /// <summary>The mapping itself.</summary>
    public YamlMappingNode Node { get; }

    /// <summary>Where the mapping starts.</summary>
    public SourcePosition Position { get; }

    public bool Has(string key) => _fields.ContainsKey(key);

    public YamlNode? Value(string key) => _fields.TryGetValue(key, out var field) ? field.Value : null;

    public YamlScalarNode? Key(string key) => _fields.TryGetValue(key, out var field) ? field.Key : null;
}
