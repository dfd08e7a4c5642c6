using System.Text;

namespace Microseg.Policy.Loading.Yaml;

/// <summary>Lines, comments, scalars and one-line flow collections.</summary>
internal sealed partial class SubsetYamlParser
{
    // Moves from the end of a line (or the start of the text) to the first content of the next
    // line that has any, past blank and comment lines; sets _indent (-1 at the end of the text).
    private void NextContentLine()
    {
        while (true)
        {
            if (_pos == _text.Length)
            {
                _indent = -1;
                return;
            }

            if (_text[_pos] == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
                continue;
            }

            while (Current == ' ')
            {
                _pos++;
            }

            char c = Current;
            if (c == '#')
            {
                SkipComment();
                continue;
            }

            if (c is '\n' or End)
            {
                continue;
            }

            _indent = _pos - _lineStart;
            // A document marker ("---", "...") starts a second document or ends this one.
            if (_indent == 0 && (_text.AsSpan(_pos).StartsWith("---") || _text.AsSpan(_pos).StartsWith("...")))
            {
                throw Decline();
            }

            return;
        }
    }

    // Skips spaces; true (past any comment) when the line ends there, false at more content.
    private bool SkipSpacesToLineEnd()
    {
        int start = _pos;
        while (Current == ' ')
        {
            _pos++;
        }

        char c = Current;
        if (c is '\n' or End)
        {
            return true;
        }

        // "#" starts a comment only after a space ("a#b" is one scalar).
        if (c == '#' && (_pos > start || _pos == _lineStart))
        {
            SkipComment();
            return true;
        }

        return false;
    }

    // From "#" to the line's end. Comments may hold any printable text, but not what YAML
    // counts as a line break (NEL, LS, PS), control characters, or a byte order mark.
    private void SkipComment()
    {
        ReadOnlySpan<char> rest = _text.AsSpan(_pos);
        int length = rest.IndexOf('\n');
        ReadOnlySpan<char> comment = length < 0 ? rest : rest[..length];
        int odd = comment.IndexOfAnyExceptInRange(' ', '~');
        if (odd >= 0)
        {
            foreach (char c in comment[odd..])
            {
                if (c is < ' ' or (>= '\x7f' and < '\xa0') or '\u2028' or '\u2029' or '\ufeff' or >= '\ufffe' || char.IsSurrogate(c))
                {
                    throw Decline();
                }
            }
        }

        _pos += comment.Length;
    }

    // A scalar in block context: plain (to the line's end, a comment, or ": "), or quoted on one line.
    private SourceNode BlockScalar()
    {
        int start = _pos;
        char c = Current;
        if (c is '\'' or '"')
        {
            return Quoted();
        }

        if (!IsPlainStart(c))
        {
            throw Decline();
        }

        int end = _pos;
        while (true)
        {
            c = Current;
            if (c == ' ')
            {
                while (Current == ' ')
                {
                    _pos++;
                }

                c = Current;
                if (c is '\n' or End or '#')
                {
                    break;
                }

                // "a : b": a key with a space before its colon.
                if (c == ':' && IsSpaceOrLineEnd(Peek(1)))
                {
                    throw Decline();
                }

                continue;
            }

            if (c is '\n' or End || (c == ':' && IsSpaceOrLineEnd(Peek(1))))
            {
                break;
            }

            // Flow indicators are legal in a block plain scalar, but rare enough to leave to the full parser.
            if (!IsPlainChar(c) || c is ',' or '[' or ']' or '{' or '}')
            {
                throw Decline();
            }

            _pos++;
            end = _pos;
        }

        _pos = end;
        return Scalar(start, end, isPlain: true);
    }

    // A node inside a one-line flow collection, or the collection itself.
    private SourceNode FlowNode()
    {
        if (++_depth > MaxDepth)
        {
            throw Decline();
        }

        SourceNode node = Current switch
        {
            '{' => FlowCollection(mapping: true),
            '[' => FlowCollection(mapping: false),
            _ => FlowScalar(),
        };
        _depth--;
        return node;
    }

    // "{k: v, …}" or "[a, …]", all on one line, no empty entries, no trailing comma.
    private SourceNode FlowCollection(bool mapping)
    {
        Mark start = Here();
        char close = mapping ? '}' : ']';
        int first = _open.Count;
        _pos++;
        SkipFlowSpaces();
        if (Current == close)
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SourceNode item = FlowNode();
                if (mapping)
                {
                    if (!item.IsScalar || Current != ':' || Peek(1) != ' ' || _pos - item.Index >= MaxKeyLength)
                    {
                        throw Decline();
                    }

                    _pos++;
                    SkipFlowSpaces();
                    if (Current is ',' or '}')
                    {
                        throw Decline();
                    }

                    _open.Add(item.Id);
                    _open.Add(FlowNode().Id);
                }
                else
                {
                    _open.Add(item.Id);
                }

                SkipFlowSpaces();
                if (Current == ',')
                {
                    _pos++;
                    SkipFlowSpaces();
                    if (Current == close)
                    {
                        throw Decline();
                    }

                    continue;
                }

                if (Current != close)
                {
                    throw Decline();
                }

                _pos++;
                break;
            }
        }

        return Close(mapping ? SourceNodeKind.Mapping : SourceNodeKind.Sequence, start, first);
    }

    private void SkipFlowSpaces()
    {
        while (Current == ' ')
        {
            _pos++;
        }
    }

    // A scalar inside a flow collection: ends at ",", "]", "}" or ": ". Any other ":" (an
    // unquoted IPv6 address) and "#" are the full parser's.
    private SourceNode FlowScalar()
    {
        int start = _pos;
        char c = Current;
        if (c is '\'' or '"')
        {
            return Quoted();
        }

        if (!IsPlainStart(c))
        {
            throw Decline();
        }

        int end = _pos;
        while (true)
        {
            c = Current;
            if (c == ' ')
            {
                SkipFlowSpaces();
                if (Current is ',' or ']' or '}')
                {
                    break;
                }

                if (Current is ':' or '#' or '\n' or End)
                {
                    throw Decline();
                }

                continue;
            }

            if (c is ',' or ']' or '}' || (c == ':' && Peek(1) == ' '))
            {
                break;
            }

            if (!IsPlainChar(c) || c is ':' or '#' or '[' or '{')
            {
                throw Decline();
            }

            _pos++;
            end = _pos;
        }

        _pos = end;
        return Scalar(start, end, isPlain: true);
    }

    // '…' ('' is a quote) or "…" without escapes, on one line of printable ASCII.
    private SourceNode Quoted()
    {
        int start = _pos;
        char quote = Current;
        _pos++;
        StringBuilder? unquoted = null;
        while (true)
        {
            char c = Current;
            if (c == quote)
            {
                if (quote == '\'' && Peek(1) == '\'')
                {
                    unquoted ??= new StringBuilder().Append(_text, start + 1, _pos - start - 1);
                    unquoted.Append('\'');
                    _pos += 2;
                    continue;
                }

                break;
            }

            if (c is < ' ' or > '~' || (c == '\\' && quote == '"'))
            {
                throw Decline();
            }

            unquoted?.Append(c);
            _pos++;
        }

        _pos++;
        Mark at = new(_line, start - _lineStart + 1, start);
        return unquoted is null
            ? _tree.AddScalar(at.Line, at.Column, at.Index, _text.AsSpan(start + 1, _pos - start - 2), isPlain: false)
            : _tree.AddScalar(at.Line, at.Column, at.Index, unquoted.ToString(), isPlain: false);
    }

    private SourceNode Scalar(int start, int end, bool isPlain) =>
        _tree.AddScalar(_line, start - _lineStart + 1, start, _text.AsSpan(start, end - start), isPlain);

    // Printable ASCII that may start a plain scalar: not a space and not an indicator.
    private static bool IsPlainStart(char c) => IsPlainChar(c) && c is not ('-' or '?' or ':' or ',' or '[' or ']' or '{' or '}'
        or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`');

    private static bool IsPlainChar(char c) => c is > ' ' and <= '~';
}
