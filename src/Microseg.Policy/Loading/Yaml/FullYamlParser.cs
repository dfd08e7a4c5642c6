using System.Diagnostics;
using System.Runtime.InteropServices;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// All of YAML, through YamlDotNet's parser: anchors and aliases, tags, block scalars, several
/// documents, and the wording and position of every syntax error. About ten times slower than
/// <see cref="SubsetYamlParser"/>, so used for what the subset parser declines.
/// </summary>
/// <remarks>
/// The tree is built here from YamlDotNet's events, with a stack of its own, not by YamlDotNet's
/// recursive YamlStream: any text, however hostile, ends in a tree or in one positioned
/// <see cref="YamlSyntaxError"/>, never in a stack overflow or an exception. What it bounds:
/// nesting (<see cref="MaxDepth"/>), an alias inside the node it names (a cycle), and how far
/// aliases multiply the tree (<see cref="MaxExpandedNodes"/>).
/// </remarks>
internal sealed partial class FullYamlParser
{
    /// <summary>
    /// Deepest nesting of lists and mappings read. A policy nests about six deep and a settings
    /// file two; past a hundred the text is no configuration a person wrote.
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// Most nodes the tree may stand for once every alias is expanded (beside the text's length,
    /// which bounds a tree without aliases): a few aliases to aliases ("billion laughs") would
    /// otherwise make everything that walks the tree, the compiler included, run for hours.
    /// </summary>
    public const long MaxExpandedNodes = 4_000_000;

    private readonly string _text;
    private readonly Scanner _scanner;
    private readonly Parser _parser;
    private readonly SourceTree _tree;

    // The children of the collections being read, innermost last (a mapping's as key, value, …),
    // and below them the current document's root: each collection moves its own into the tree when it ends.
    private readonly List<int> _children = new(64);

    // The collections being read, outermost first: never more than MaxDepth.
    private readonly List<OpenCollection> _open = new(16);

    // What each node stands for once its aliases are expanded, by node id (1 for a scalar).
    private readonly List<long> _expanded;

    // The current document's anchors: the node each names (anchors do not cross documents).
    private readonly Dictionary<string, int> _anchors = new(StringComparer.Ordinal);
    private readonly List<SourceNode> _documents = [];

    private FullYamlParser(string text)
    {
        _text = text;
        _scanner = new Scanner(new StringReader(text));
        _parser = new Parser(_scanner);
        _tree = new SourceTree(text.Length / 6);
        _expanded = new List<long>(Math.Max(16, text.Length / 6));
    }

    /// <summary>The documents of <paramref name="text"/>, or where and why it is not YAML.</summary>
    public static ParsedYaml Parse(string text)
    {
        var parser = new FullYamlParser(text);
        try
        {
            parser.RefuseLoneCarriageReturns();
            parser.ReadAll();
            return new ParsedYaml(parser._documents, null);
        }
        catch (SyntaxFailure failure)
        {
            return new ParsedYaml([], failure.Error);
        }
    }

    private void ReadAll()
    {
        while (Next() is { } next)
        {
            switch (next)
            {
                case DocumentStart:
                    _anchors.Clear();
                    break;
                case DocumentEnd:
                    // A document holds one node (YamlDotNet reads an empty one as an empty scalar).
                    _documents.Add(new SourceNode(_tree, _children[^1]));
                    _children.Clear();
                    break;
                case Scalar scalar:
                    (int line, int column, int index) = Position(scalar.Start);
                    Add(_tree.AddScalar(line, column, index, scalar.Value, scalar.Style == ScalarStyle.Plain).Id, 1, scalar);
                    break;
                case AnchorAlias alias:
                    Add(Resolve(alias), 0, AnchorName.Empty, alias);
                    break;
                case MappingStart or SequenceStart:
                    Open((NodeEvent)next);
                    break;
                case MappingEnd or SequenceEnd:
                    Close(next);
                    break;
            }
        }
    }

    // YamlDotNet's next event; null at the end of the text.
    private ParsingEvent? Next()
    {
        try
        {
            return _parser.MoveNext() ? _parser.Current : null;
        }
        catch (SyntaxErrorException e) when (e.Start.Line >= 1)
        {
            // The scanner's: Start is where the construct it was reading began, End where it
            // found the problem. A tab is where the scanner stopped (Start and End can both be
            // the mapping's, at 1:1); a construct left open is where it began (End is the text's end).
            string message = YamlMessage(e.Message);
            Mark at = message.Contains("tab", StringComparison.Ordinal) ? _scanner.CurrentPosition
                : e.End.Index >= _text.Length - 1 || e.End.Line == e.Start.Line ? e.Start
                : e.End;
            throw Failure(at, Syntax(message));
        }
        catch (YamlException e) when (e.Start.Line >= 1)
        {
            // The parser's: Start is the token it did not expect.
            throw Failure(e.Start, Syntax(YamlMessage(e.Message)));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet 16.3 throws InvalidOperationException (and YamlExceptions without a
            // position) on some malformed text, mostly inside a flow list or mapping left open
            // ("a: [1, 2" then more lines): its message is about its own state, so the words are ours.
            if (_open.FindLast(o => o.IsFlow) is { } flow)
            {
                throw Failure(flow.Start, Syntax(flow.IsMapping
                    ? "this mapping in braces cannot be read to its end (is a '}' missing, or a line break or tab inside it?)"
                    : "this list in brackets cannot be read to its end (is a ']' missing, or a line break or tab inside it?)"));
            }

            throw Failure(_scanner.CurrentPosition, Syntax("this text cannot be read as YAML (the reader stopped here)"));
        }
    }

    private void Open(NodeEvent start)
    {
        if (_open.Count == MaxDepth)
        {
            throw Failure(start.Start, $"lists and mappings nested more than {MaxDepth} deep");
        }

        _open.Add(new OpenCollection(start is MappingStart, start.Start, _children.Count)
        {
            Anchor = start.Anchor,
            IsFlow = start is MappingStart { Style: MappingStyle.Flow } or SequenceStart { Style: SequenceStyle.Flow },
        });
    }

    private void Close(ParsingEvent end)
    {
        OpenCollection open = _open[^1];
        _open.RemoveAt(_open.Count - 1);
        ReadOnlySpan<int> children = CollectionsMarshal.AsSpan(_children)[open.FirstChild..];
        (int line, int column, int index) = Position(open.Start);
        int id = _tree.AddCollection(open.IsMapping ? SourceNodeKind.Mapping : SourceNodeKind.Sequence, line, column, index, children).Id;
        _children.RemoveRange(open.FirstChild, children.Length);
        Add(id, open.Expanded + 1, open.Anchor, end);
    }

    // A node read whole: a child of the innermost open collection, or a document's root.
    private void Add(int id, long expanded, NodeEvent node) => Add(id, expanded, node.Anchor, node);

    private void Add(int id, long expanded, AnchorName anchor, ParsingEvent at)
    {
        // 0 for an alias: the node it names, already counted.
        if (expanded == 0)
        {
            expanded = _expanded[id];
        }
        else
        {
            Debug.Assert(_expanded.Count == id, "node ids are given in order");
            _expanded.Add(expanded);
        }

        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = id;
        }

        _children.Add(id);
        if (_open.Count == 0)
        {
            return;
        }

        OpenCollection parent = _open[^1];
        parent.Expanded += expanded;
        if (parent.Expanded > Math.Max(MaxExpandedNodes, _text.Length))
        {
            throw Failure(at.Start, $"aliases expand this file to more than {Math.Max(MaxExpandedNodes, _text.Length):N0} nodes");
        }

        if (parent.IsMapping && (_children.Count - parent.FirstChild) % 2 == 0)
        {
            CheckNewKey(parent);
        }
    }

    private int Resolve(AnchorAlias alias)
    {
        if (_anchors.TryGetValue(alias.Value.Value, out int id))
        {
            return id;
        }

        // An anchor on a collection still open is named only when it ends: an alias inside it
        // would make the tree a cycle, which every reader after this one would walk forever.
        string name = Quote.Short(alias.Value.Value);
        throw Failure(alias.Start, Syntax(_open.Exists(o => o.Anchor == alias.Value)
            ? $"the alias *{name} names no anchor before it (an alias cannot refer to a node that contains it)"
            : $"the alias *{name} names no anchor before it"));
    }

    // (line, column, index) of a mark: 1-based, 1-based, 0-based.
    private static (int Line, int Column, int Index) Position(Mark mark) => ((int)mark.Line, (int)mark.Column, (int)mark.Index);

    /// <summary>A collection being read.</summary>
    private sealed class OpenCollection(bool isMapping, Mark start, int firstChild)
    {
        public bool IsMapping { get; } = isMapping;

        /// <summary>Where it starts.</summary>
        public Mark Start { get; } = start;

        /// <summary>Where its children start in the parser's list of children.</summary>
        public int FirstChild { get; } = firstChild;

        /// <summary>Written in brackets or braces, not by indentation.</summary>
        public bool IsFlow { get; init; }

        /// <summary>Its anchor, from the start event; empty when it has none.</summary>
        public AnchorName Anchor { get; init; }

        /// <summary>What its children read so far stand for once aliases are expanded.</summary>
        public long Expanded { get; set; }

        /// <summary>A mapping's keys, once it has too many to compare one by one; null until then.</summary>
        public HashSet<string>? Keys { get; set; }
    }
}
