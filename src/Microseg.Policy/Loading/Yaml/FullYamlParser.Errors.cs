using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Microseg.Policy.Loading.Yaml;

/// <summary>Repeated keys, and syntax errors in the user's terms at the place they are.</summary>
internal sealed partial class FullYamlParser
{
    // Up to this many keys a new one is compared with each; past it, through a set.
    private const int KeysComparedOneByOne = 8;

    // The key just completed with its value (the last two children) against the mapping's others.
    private void CheckNewKey(OpenCollection mapping)
    {
        var key = new SourceNode(_tree, _children[^2]);
        if (!key.IsScalar)
        {
            // Only a scalar can be the name of a setting or field: the loaders say so at the key.
            return;
        }

        int first = mapping.FirstChild, count = (_children.Count - first) / 2;
        bool repeated;
        if (mapping.Keys is { } keys)
        {
            repeated = !keys.Add(key.Value);
        }
        else
        {
            repeated = false;
            for (int i = first; i < _children.Count - 2 && !repeated; i += 2)
            {
                var earlier = new SourceNode(_tree, _children[i]);
                repeated = earlier.IsScalar && earlier.Value == key.Value;
            }

            if (count > KeysComparedOneByOne)
            {
                mapping.Keys = new HashSet<string>(StringComparer.Ordinal);
                for (int i = first; i < _children.Count; i += 2)
                {
                    var each = new SourceNode(_tree, _children[i]);
                    if (each.IsScalar)
                    {
                        mapping.Keys.Add(each.Value);
                    }
                }
            }
        }

        if (repeated)
        {
            throw new SyntaxFailure(new YamlSyntaxError(key.Line, key.Column, Syntax($"duplicate key '{Quote.Short(key.Value)}'"),
                DuplicateKey: key.Value));
        }
    }

    private SyntaxFailure Failure(Mark at, string message)
    {
        (int line, int column, int index) = Position(at);
        if (index >= _text.Length)
        {
            // YamlDotNet reads a line break after the last line: its end-of-text mark can be a line past the file's end.
            (line, column, index) = EndOfText();
        }

        return new SyntaxFailure(new YamlSyntaxError(Math.Max(1, line), Math.Max(1, column), message, IsAtTab(index) ? TabHint : null));
    }

    private static string Syntax(string message) => $"YAML syntax error: {message}";

    private (int Line, int Column, int Index) EndOfText()
    {
        int lineStart = _text.LastIndexOf('\n') + 1;
        return (_text.AsSpan().Count('\n') + 1, _text.Length - lineStart + 1, _text.Length);
    }

    // A carriage return not followed by a line feed: YAML reads it as a line break, which no
    // editor on Linux shows, and YamlDotNet fails inside a flow list on it without saying where.
    private void RefuseLoneCarriageReturns()
    {
        for (int i = _text.IndexOf('\r'); i >= 0; i = _text.IndexOf('\r', i + 1))
        {
            if (i + 1 == _text.Length || _text[i + 1] != '\n')
            {
                int lineStart = i == 0 ? 0 : _text.LastIndexOf('\n', i - 1) + 1;
                throw new SyntaxFailure(new YamlSyntaxError(_text.AsSpan(0, i).Count('\n') + 1, i - lineStart + 1,
                    Syntax("a carriage return without a line feed after it"),
                    "end lines with a line feed (Unix) or a carriage return and a line feed (Windows)"));
            }
        }
    }

    private const string TabHint = "YAML indents with spaces: replace the tab with spaces";

    // A tab where reading stopped, or in the indentation of that line: YAML's most common trap.
    private bool IsAtTab(int index)
    {
        index = Math.Clamp(index, 0, _text.Length);
        if (index < _text.Length && _text[index] == '\t')
        {
            return true;
        }

        int lineStart = index == 0 ? 0 : _text.LastIndexOf('\n', index - 1) + 1;
        for (int i = lineStart; i < _text.Length && _text[i] is ' ' or '\t'; i++)
        {
            if (_text[i] == '\t')
            {
                return true;
            }
        }

        return false;
    }

    // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; the
    // position is already in the diagnostic, so it is dropped from the text.
    private static string YamlMessage(string message) => PositionPrefix().Replace(message, "").TrimEnd('.');

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    /// <summary>Carries the error out of the event loop; never escapes <see cref="Parse"/>.</summary>
    private sealed class SyntaxFailure(YamlSyntaxError error) : Exception(error.Message)
    {
        public YamlSyntaxError Error { get; } = error;
    }
}
