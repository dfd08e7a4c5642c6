namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// A node of a parsed policy file: a mapping, a list or a scalar, with where it starts. Both
/// parsers (<see cref="SubsetYamlParser"/> and <see cref="FullYamlParser"/>) produce this model,
/// so everything after parsing is the same whichever one read the file.
/// </summary>
/// <param name="line">1-based line of the node's first character.</param>
/// <param name="column">1-based column of the node's first character.</param>
/// <param name="index">0-based offset of the node's first character in the file's text.</param>
internal abstract class SourceNode(int line, int column, int index)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    public int Index { get; } = index;
}

/// <summary>A mapping (block or flow), its entries in the order written.</summary>
internal sealed class SourceMapping(int line, int column, int index, KeyValuePair<SourceNode, SourceNode>[] entries)
    : SourceNode(line, column, index)
{
    public IReadOnlyList<KeyValuePair<SourceNode, SourceNode>> Entries { get; } = entries;
}

/// <summary>A list (block or flow), its items in the order written.</summary>
internal sealed class SourceSequence(int line, int column, int index, SourceNode[] items)
    : SourceNode(line, column, index)
{
    public IReadOnlyList<SourceNode> Items { get; } = items;
}

/// <summary>A single value as written, untyped (<c>1</c> and <c>true</c> are text here).</summary>
internal sealed class SourceScalar(int line, int column, int index, string value, bool isPlain)
    : SourceNode(line, column, index)
{
    /// <summary>The value after unquoting; "" for an empty value such as <c>key:</c> with nothing after it.</summary>
    public string Value { get; } = value;

    /// <summary>True when written without quotes (an empty plain value reads as an empty list).</summary>
    public bool IsPlain { get; } = isPlain;
}
