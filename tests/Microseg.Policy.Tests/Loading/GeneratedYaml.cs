using System.Text;

namespace Microseg.Policy.Tests.Loading;

/// <summary>
/// Policy-shaped YAML documents for the parser differential tests: a random policy (some values
/// wrong on purpose, so diagnostics are exercised too), written in a random mix of the styles the
/// subset parser reads (block and flow, indented and indentless lists, plain and quoted
/// scalars, comments, blank lines, extra spaces), and optionally damaged by a few random edits
/// that take it anywhere in YAML or out of it. Deterministic for a seed.
/// </summary>
internal sealed class GeneratedYaml(int seed)
{
    private static readonly string[] Damage =
        [":", "-", " ", "  ", "#", "'", "\"", "{", "}", "[", "]", ",", "\t", "\n", "\n  ", "&a ", "*a", "!", "|", "é", "\\", "? ", "\r", "%", "@", "---\n", ": x", "- "];

    private readonly Random _random = new(seed);

    /// <summary>A document in the subset's styles, then (when <paramref name="damaged"/>) edited at random.</summary>
    public string Text(bool damaged)
    {
        var text = new StringBuilder();
        Block(Policy(), 0, text);
        if (damaged)
        {
            for (int edits = 1 + _random.Next(3); edits > 0; edits--)
            {
                int at = _random.Next(text.Length + 1);
                int remove = _random.Next(3) == 0 ? Math.Min(1 + _random.Next(3), text.Length - at) : 0;
                text.Remove(at, remove).Insert(at, _random.Next(4) == 0 ? "" : Pick(Damage));
            }
        }

        return text.ToString();
    }

    // The value tree: a string, a list of values, or a list of key/value pairs (a mapping).
    private object Policy()
    {
        var policy = new List<KeyValuePair<string, object>> { new("version", Chance(10) ? "2" : "1") };
        if (Chance(2))
        {
            policy.Add(new("defaults", Map(("mode", Pick("enforce", "monitor", "enforcing")), ("ingress", "deny"), ("egress", "allow"))));
        }

        policy.Add(new("identities", Items(4, i => Map(("name", Pick("web", "db", "api", "host", "Web") + (i == 0 ? "" : $"-{i}")),
            ("labels", Map(("app", Pick("shop", "a b", "x#y")), ("tier", Pick("web", "db")))),
            ("addresses", Items(2, _ => Pick("10.0.1.5", "10.0.2.0/24", "2001:db8::5", "10.0.2.5/24", "fd00:1::/48", "10.1")))))));
        if (Chance(2))
        {
            policy.Add(new("endpoints", Items(2, _ => Map(("identity", Pick("web", "db", "nobody")), ("addresses", Items(2, _ => Pick("10.0.1.5", "10.0.3.7")))))));
        }

        policy.Add(new("rules", Items(4, i => Map(("name", Pick("allow-web", "deny db", "r") + i), ("action", Pick("allow", "deny", "permit")),
            ("direction", Pick("ingress", "egress")), ("local", Selector()), ("peer", Selector()), ("protocol", Pick("tcp", "udp", "icmp")),
            ("ports", Items(3, _ => Pick("80", "443", "8000-8080", "9000-8000", "99999", "http")))))));
        policy.Add(new("management", Chance(3) ? "" : Items(1, _ => Map(("name", "ssh"), ("from", Items(1, _ => Pick("192.0.2.0/24", "2001:db8:ad::/48")))))));
        if (Chance(8))
        {
            policy.Add(new("identites", Items(1, _ => "typo")));
        }

        return policy;
    }

    private object Selector() => _random.Next(3) switch
    {
        0 => Map(("identity", Pick("web", "db", "nobody"))),
        1 => Map(("any", Pick("true", "yes"))),
        _ => Map(("matchLabels", Map(("app", "shop"), ("tier", Pick("web", "db"))))),
    };

    // Writes a value that starts its own line(s) at indent.
    private void Block(object value, int indent, StringBuilder text)
    {
        if (value is List<KeyValuePair<string, object>> map)
        {
            foreach ((string key, object entry) in map)
            {
                MaybeCommentLine(indent, text);
                text.Append(' ', indent).Append(Scalar(key, flow: false)).Append(':');
                AfterKey(entry, indent, text);
            }
        }
        else
        {
            foreach (object item in (List<object>)value)
            {
                MaybeCommentLine(indent, text);
                text.Append(' ', indent).Append('-').Append(' ', 1 + (Chance(6) ? 2 : 0));
                int column = text.Length - LineStart(text);
                if (item is List<KeyValuePair<string, object>> itemMap && itemMap.Count > 0 && Chance(2))
                {
                    // "- key: value" with the other keys lined up under the first.
                    (string firstKey, object firstValue) = itemMap[0];
                    text.Append(Scalar(firstKey, flow: false)).Append(':');
                    AfterKey(firstValue, column, text);
                    Block(itemMap.Skip(1).ToList(), column, text);
                }
                else
                {
                    Inline(item, text);
                    EndLine(text);
                }
            }
        }
    }

    private void AfterKey(object value, int indent, StringBuilder text)
    {
        bool collection = value is not string;
        bool nonEmpty = value is List<object> { Count: > 0 } || value is List<KeyValuePair<string, object>> { Count: > 0 };
        if (collection && nonEmpty && Chance(2))
        {
            EndLine(text);
            // A list under a key may sit at the key's own indentation.
            int nested = value is List<object> && Chance(2) ? indent : indent + Pick(2, 4);
            Block(value, nested, text);
            return;
        }

        if (value is "")
        {
            // "key:" with nothing after it.
            EndLine(text);
            return;
        }

        text.Append(' ', 1 + (Chance(8) ? 3 : 0));
        Inline(value, text);
        EndLine(text);
    }

    // A flow collection or a scalar, on the current line.
    private void Inline(object value, StringBuilder text)
    {
        switch (value)
        {
            case string scalar:
                text.Append(Scalar(scalar, flow: false));
                break;
            case List<KeyValuePair<string, object>> map:
                Flow('{', '}', map.Select(e => Scalar(e.Key, flow: true) + ": " + FlowText(e.Value)), text);
                break;
            default:
                Flow('[', ']', ((List<object>)value).Select(FlowText), text);
                break;
        }
    }

    private string FlowText(object value)
    {
        var text = new StringBuilder();
        if (value is string scalar)
        {
            text.Append(scalar.Length == 0 ? "''" : Scalar(scalar, flow: true));
        }
        else
        {
            Inline(value, text);
        }

        return text.ToString();
    }

    private void Flow(char open, char close, IEnumerable<string> items, StringBuilder text)
    {
        string padding = Chance(4) ? " " : "";
        text.Append(open).Append(padding).AppendJoin(Chance(5) ? " ,  " : ", ", items).Append(padding).Append(close);
    }

    // Plain when YAML (and the subset) allow it and the coin says so; otherwise quoted.
    private string Scalar(string value, bool flow)
    {
        bool plainSafe = value.Length > 0 && !"-?:,[]{}#&*!|>'\"%@` ".Contains(value[0]) && !value.EndsWith(' ')
            && !value.Contains(": ") && !value.Contains(" #") && value.IndexOfAny([',', '[', ']', '{', '}']) < 0
            && (!flow || value.IndexOfAny([':', '#']) < 0);
        if (plainSafe && !Chance(5))
        {
            return value;
        }

        return Chance(2) && !value.Contains('"') ? $"\"{value}\"" : $"'{value.Replace("'", "''")}'";
    }

    private void EndLine(StringBuilder text)
    {
        if (Chance(6))
        {
            text.Append(' ', 1 + _random.Next(2)).Append("# note: é, 'q'");
        }

        text.Append('\n');
        if (Chance(10))
        {
            text.Append(' ', _random.Next(3)).Append('\n');
        }
    }

    private void MaybeCommentLine(int indent, StringBuilder text)
    {
        if (Chance(10))
        {
            text.Append(' ', _random.Next(indent + 3)).Append("# a comment line\n");
        }
    }

    private static int LineStart(StringBuilder text)
    {
        for (int i = text.Length - 1; i >= 0; i--)
        {
            if (text[i] == '\n')
            {
                return i + 1;
            }
        }

        return 0;
    }

    private List<KeyValuePair<string, object>> Map(params (string Key, object Value)[] entries) =>
        entries.Select(e => new KeyValuePair<string, object>(e.Key, e.Value)).ToList();

    private List<object> Items(int most, Func<int, object> item) => Enumerable.Range(0, _random.Next(most + 1)).Select(item).ToList();

    private bool Chance(int oneIn) => _random.Next(oneIn) == 0;

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];
}
