using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Policy.Loading.Yaml;

/// <summary>
/// A fast parser for the YAML policy files are written in: block mappings and lists (indented
/// or not), one-line flow mappings and lists, plain and one-line quoted scalars, comments. On
/// anything else (anchors, aliases, tags, block or multi-line scalars, escapes, tabs, several
/// documents, odd indentation, duplicate keys, syntax errors…) it declines, and
/// <see cref="FullYamlParser"/> reads the file and words its errors. For every text it
/// accepts, its tree equals YamlDotNet's, positions included (the differential tests hold it
/// to that), so declining is always the safe answer to a doubt.
/// </summary>
internal sealed partial class SubsetYamlParser
{
    // Deeper nesting than any policy has; past it the full parser decides (and the recursion
    // here stays far from the stack's end).
    private const int MaxDepth = 64;

    // YAML allows an implicit key of at most 1024 characters, longer is YamlDotNet's error:
    // declining well before that never accepts a key YamlDotNet would refuse.
    private const int MaxKeyLength = 1000;

    private const char End = '\0';

    private readonly string _text;
    private readonly SourceTree _tree;

    // The children of the collections being read, innermost last (a mapping's as key, value,
    // key, value…): each collection moves its own into the tree when it ends.
    private readonly List<int> _open = new(64);

    // The read position; the line it is on (1-based) and where that line starts.
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    // After a block node: the indentation of the next line with content, or -1 at the end.
    private int _indent;
    private int _depth;

    private SubsetYamlParser(string text)
    {
        _text = text;
        // A policy has about one node per six characters.
        _tree = new SourceTree(text.Length / 6);
    }

    /// <summary>The root of <paramref name="text"/>'s one document, or null when the text leaves the subset.</summary>
    public static SourceNode? TryParse(string text)
    {
        try
        {
            return new SubsetYamlParser(text).Document();
        }
        catch (OutsideSubsetException)
        {
            return null;
        }
    }

    private SourceNode Document()
    {
        NextContentLine();
        // An empty file, or one whose first line is a directive or a document marker, is the full parser's.
        if (_indent < 0)
        {
            throw Decline();
        }

        SourceNode root = BlockNode(parentIndent: -1);
        if (_indent >= 0)
        {
            throw Decline();
        }

        return root;
    }

    // A node that starts a line of its own (the root, or a value after "key:" or "-" alone on theirs).
    private SourceNode BlockNode(int parentIndent)
    {
        Debug.Assert(_indent > parentIndent);
        if (++_depth > MaxDepth)
        {
            throw Decline();
        }

        int indent = _indent;
        SourceNode node;
        if (AtSequenceEntry())
        {
            node = BlockSequence(indent);
        }
        else
        {
            // Only a mapping: a scalar or flow collection on a line of its own is rare and the full parser's.
            Mark start = Here();
            node = BlockMapping(indent, start, BlockScalar());
        }

        _depth--;
        return node;
    }

    // Entries of a block mapping whose keys are at column indent + 1; the first key is read.
    private SourceNode BlockMapping(int indent, Mark start, SourceNode firstKey)
    {
        int first = _open.Count;
        SourceNode key = firstKey;
        while (true)
        {
            ExpectKeyColon(key);
            _open.Add(key.Id);
            _open.Add(MappingValue(indent).Id);
            if (_indent != indent)
            {
                break;
            }

            // A list item at the mapping's own indentation that no indentless list took is an error.
            if (AtSequenceEntry())
            {
                throw Decline();
            }

            key = BlockScalar();
        }

        // Deeper than the mapping and not taken by a value: a continuation line or an error.
        if (_indent > indent)
        {
            throw Decline();
        }

        return Close(SourceNodeKind.Mapping, start, first);
    }

    // The value after "key:", on the same line or on the lines after it.
    private SourceNode MappingValue(int indent)
    {
        // Where YamlDotNet places an empty value: just after the colon.
        Mark afterColon = Here();
        if (SkipSpacesToLineEnd())
        {
            NextContentLine();
            if (_indent > indent)
            {
                return BlockNode(indent);
            }

            // "key:" then "- item" at the key's own indentation: an indentless list.
            if (_indent == indent && AtSequenceEntry())
            {
                return BlockSequence(indent);
            }

            return _tree.AddScalar(afterColon.Line, afterColon.Column, afterColon.Index, "", isPlain: true);
        }

        return InlineValue();
    }

    // Items of a block list whose dashes are at column indent + 1.
    private SourceNode BlockSequence(int indent)
    {
        Mark start = Here();
        int first = _open.Count;
        do
        {
            _pos++;
            if (SkipSpacesToLineEnd())
            {
                NextContentLine();
                // "-" alone with nothing deeper after it is an empty item: rare, the full parser's.
                _open.Add(_indent > indent ? BlockNode(indent).Id : throw Decline());
                continue;
            }

            if (AtSequenceEntry())
            {
                throw Decline();
            }

            int column = _pos - _lineStart;
            Mark itemStart = Here();
            if (Current is '{' or '[')
            {
                _open.Add(InlineValue().Id);
                continue;
            }

            SourceNode scalar = BlockScalar();
            if (Current == ':')
            {
                // "- key: value": a mapping whose keys line up with this first one.
                _depth++;
                _open.Add(BlockMapping(column, itemStart, scalar).Id);
                _depth--;
            }
            else
            {
                _open.Add(EndOfValueLine(scalar).Id);
            }
        }
        while (_indent == indent && AtSequenceEntry());

        return Close(SourceNodeKind.Sequence, start, first);
    }

    // A flow collection or scalar that ends its line.
    private SourceNode InlineValue()
    {
        if (Current is '{' or '[')
        {
            return EndOfValueLine(FlowNode());
        }

        SourceNode scalar = BlockScalar();
        // "a: b: c" and the like.
        if (Current == ':')
        {
            throw Decline();
        }

        return EndOfValueLine(scalar);
    }

    // After a value: only spaces and a comment may follow on its line.
    private SourceNode EndOfValueLine(SourceNode value)
    {
        if (!SkipSpacesToLineEnd())
        {
            throw Decline();
        }

        NextContentLine();
        return value;
    }

    // After a key: its colon, which must be followed by a space or the line's end.
    private void ExpectKeyColon(SourceNode key)
    {
        if (Current != ':' || _pos - key.Index >= MaxKeyLength || !IsSpaceOrLineEnd(Peek(1)))
        {
            throw Decline();
        }

        _pos++;
    }

    private bool AtSequenceEntry() => Current == '-' && IsSpaceOrLineEnd(Peek(1));

    // The innermost open collection, its children from first on the stack: moved into the tree.
    private SourceNode Close(SourceNodeKind kind, Mark start, int first)
    {
        ReadOnlySpan<int> children = CollectionsMarshal.AsSpan(_open)[first..];
        if (kind == SourceNodeKind.Mapping)
        {
            CheckUniqueKeys(children);
        }

        SourceNode node = _tree.AddCollection(kind, start.Line, start.Column, start.Index, children);
        _open.RemoveRange(first, children.Length);
        return node;
    }

    private void CheckUniqueKeys(ReadOnlySpan<int> keysAndValues)
    {
        // YamlDotNet refuses a repeated key with its own message; mappings are small.
        for (int i = 2; i < keysAndValues.Length; i += 2)
        {
            string key = new SourceNode(_tree, keysAndValues[i]).Value;
            for (int j = 0; j < i; j += 2)
            {
                if (new SourceNode(_tree, keysAndValues[j]).Value == key)
                {
                    throw Decline();
                }
            }
        }
    }

    private char Current => _pos < _text.Length ? _text[_pos] : End;

    private char Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : End;

    private static bool IsSpaceOrLineEnd(char c) => c is ' ' or '\n' or End;

    private Mark Here() => new(_line, _pos - _lineStart + 1, _pos);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OutsideSubsetException Decline() => new();

    /// <summary>A position: 1-based line and column, 0-based index.</summary>
    private readonly record struct Mark(int Line, int Column, int Index);

    /// <summary>The text leaves the subset; never escapes <see cref="TryParse"/>.</summary>
    private sealed class OutsideSubsetException : Exception;
}
