namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// Every node of one parsed file, stored as records in a few large arrays rather than as an
/// object each: a 100,000-rule policy has millions of nodes, and as objects they were most of
/// what the garbage collector copied, generation to generation, while the policy loaded.
/// Written once by a parser, then only read.
/// </summary>
internal sealed class SourceTree
{
    // Records hold no references (text is an index into _strings): the collector never scans them.
    private readonly StringTable _strings = new();
    private NodeRecord[] _nodes;
    private int _nodeCount;

    // Each collection's children, contiguous: a list's items, a mapping's keys and values alternating.
    private int[] _children;
    private int _childCount;

    /// <param name="expectedNodes">A guess at the number of nodes (the arrays grow past it).</param>
    public SourceTree(int expectedNodes)
    {
        _nodes = new NodeRecord[Math.Max(16, expectedNodes)];
        _children = new int[Math.Max(16, expectedNodes)];
    }

    public SourceNode AddScalar(int line, int column, int index, ReadOnlySpan<char> value, bool isPlain) =>
        Add(new NodeRecord(SourceNodeKind.Scalar, isPlain, line, column, index, _strings.Id(value), 0, 0));

    public SourceNode AddScalar(int line, int column, int index, string value, bool isPlain) =>
        Add(new NodeRecord(SourceNodeKind.Scalar, isPlain, line, column, index, _strings.Id(value), 0, 0));

    /// <summary>A list of <paramref name="children"/>, or a mapping of them as key, value, key, value….</summary>
    public SourceNode AddCollection(SourceNodeKind kind, int line, int column, int index, ReadOnlySpan<int> children)
    {
        Grow(ref _children, _childCount + children.Length);
        children.CopyTo(_children.AsSpan(_childCount));
        int count = kind == SourceNodeKind.Mapping ? children.Length / 2 : children.Length;
        var record = new NodeRecord(kind, false, line, column, index, 0, _childCount, count);
        _childCount += children.Length;
        return Add(record);
    }

    internal ref readonly NodeRecord Record(int id) => ref _nodes[id];

    internal string Text(int stringId) => _strings[stringId];

    private SourceNode Add(in NodeRecord record)
    {
        Grow(ref _nodes, _nodeCount + 1);
        _nodes[_nodeCount] = record;
        return new SourceNode(this, _nodeCount++);
    }

    internal SourceNode Child(int offset) => new(this, _children[offset]);

    private static void Grow<T>(ref T[] array, int needed)
    {
        if (needed > array.Length)
        {
            Array.Resize(ref array, Math.Max(needed, array.Length * 2));
        }
    }

    /// <summary>One node.</summary>
    /// <param name="Kind">Scalar, list or mapping.</param>
    /// <param name="IsPlain">A scalar written without quotes.</param>
    /// <param name="Line">1-based line of the first character.</param>
    /// <param name="Column">1-based column of the first character.</param>
    /// <param name="Index">0-based offset of the first character in the text.</param>
    /// <param name="ValueId">A scalar's text, in the tree's string table (0 is "", as for a collection).</param>
    /// <param name="FirstChild">Offset of a collection's first child in the children array.</param>
    /// <param name="Count">A list's items or a mapping's entries.</param>
    internal readonly record struct NodeRecord(SourceNodeKind Kind, bool IsPlain, int Line, int Column, int Index, int ValueId, int FirstChild, int Count);
}
