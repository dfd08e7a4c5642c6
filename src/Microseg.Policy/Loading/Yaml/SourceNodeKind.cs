namespace Microseg.Policy.Loading.Yaml;

/// <summary>What a <see cref="SourceNode"/> is.</summary>
internal enum SourceNodeKind : byte
{
    Scalar,
    Sequence,
    Mapping,
}
