using System.Diagnostics;

namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// A node of a parsed policy file (a mapping, a list or a scalar) with where it starts: a
/// handle into its file's <see cref="SourceTree"/>. Both parsers (<see cref="SubsetYamlParser"/>
/// and <see cref="FullYamlParser"/>) produce this model, so everything after parsing is the same
/// whichever one read the file.
/// </summary>
internal readonly struct SourceNode
{
    private readonly SourceTree _tree;
    private readonly int _id;

    internal SourceNode(SourceTree tree, int id)
    {
        _tree = tree;
        _id = id;
    }

    /// <summary>The node's number in its tree.</summary>
    internal int Id => _id;

    public SourceNodeKind Kind => Record.Kind;

    public bool IsScalar => Record.Kind == SourceNodeKind.Scalar;

    public bool IsSequence => Record.Kind == SourceNodeKind.Sequence;

    public bool IsMapping => Record.Kind == SourceNodeKind.Mapping;

    /// <summary>1-based line of the node's first character.</summary>
    public int Line => Record.Line;

    /// <summary>1-based column of the node's first character.</summary>
    public int Column => Record.Column;

    /// <summary>0-based offset of the node's first character in the file's text.</summary>
    public int Index => Record.Index;

    /// <summary>A scalar's value after unquoting ("" for an empty value such as <c>key:</c> with nothing after it); "" for a collection.</summary>
    public string Value => _tree.Text(Record.ValueId);

    /// <summary>True for a scalar written without quotes (an empty plain value reads as an empty list).</summary>
    public bool IsPlain => Record.IsPlain;

    /// <summary>A list's items; empty for anything else.</summary>
    public SourceNodeList Items => IsSequence ? new SourceNodeList(_tree, Record.FirstChild, Record.Count) : default;

    /// <summary>A mapping's entries in the order written; empty for anything else.</summary>
    public SourceEntryList Entries => IsMapping ? new SourceEntryList(_tree, Record.FirstChild, Record.Count) : default;

    private ref readonly SourceTree.NodeRecord Record
    {
        get
        {
            Debug.Assert(_tree is not null, "a default SourceNode is no node");
            return ref _tree.Record(_id);
        }
    }
}
