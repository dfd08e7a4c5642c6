using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Policy.Loading.Yaml;

namespace Microseg.Policy.Loading;

/// <summary>Addresses, port lists and selectors: the values shared by several sections.</summary>
internal sealed class ValueParser(NodeReader reader)
{
    private static readonly string[] SelectorKeys = ["identity", "any", "matchLabels", "matchExpressions"];
    private static readonly string[] ExpressionKeys = ["key", "operator", "values"];

    private static readonly Dictionary<string, SelectorOperator> Operators = new()
    {
        ["In"] = SelectorOperator.In,
        ["NotIn"] = SelectorOperator.NotIn,
        ["Exists"] = SelectorOperator.Exists,
    };

    /// <summary>A list of addresses or prefixes; a bad entry is reported and left out.</summary>
    public List<AddressEntry> Addresses(SourceNode node, string what)
    {
        var result = new List<AddressEntry>();
        foreach (SourceNode item in reader.List(node, what))
        {
            if (reader.Text(item, "an address") is { } text && Address(text, reader.At(item)) is { } entry)
            {
                result.Add(entry);
            }
        }

        return result;
    }

    private AddressEntry? Address(string text, SourcePosition at)
    {
        if (!text.Contains('/'))
        {
            if (IPAddress.TryParse(text, out IPAddress? address) && IsPlainAddress(text, address))
            {
                int bits = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
                return new AddressEntry(new IPNetwork(address, bits), at);
            }

            reader.Bag.Error(at, $"invalid address '{Quote.Short(text)}': expected an IPv4 or IPv6 address or CIDR prefix");
            return null;
        }

        string[] parts = text.Split('/');
        if (parts.Length == 2 && IPAddress.TryParse(parts[0], out IPAddress? baseAddress) && IsPlainAddress(parts[0], baseAddress)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int length))
        {
            int max = baseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            if (length > max)
            {
                reader.Bag.Error(at, $"invalid CIDR '{Quote.Short(text)}': the prefix length {length} is longer than {max}");
                return null;
            }

            var network = new IPNetwork(Truncate(baseAddress, length), length);
            if (!network.BaseAddress.Equals(baseAddress))
            {
                reader.Bag.Error(at, $"invalid CIDR '{Quote.Short(text)}': bits are set past the /{length} prefix",
                    $"did you mean '{network}'?");
                return null;
            }

            return new AddressEntry(network, at);
        }

        reader.Bag.Error(at, $"invalid CIDR '{Quote.Short(text)}': expected an address, '/', and a prefix length");
        return null;
    }

    // IPAddress.TryParse accepts "10" and "10.1" (old inet_aton forms) and IPv6 scope ids; a policy
    // must say exactly what it means, so only the dotted-quad and plain IPv6 forms are taken.
    private static bool IsPlainAddress(string text, IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? !text.Contains('%')
            : text.Count(c => c == '.') == 3;

    private static IPAddress Truncate(IPAddress address, int length)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    /// <summary>Ports (1–65535) or ICMP types (0–255), each a number or "A-B".</summary>
    public List<PortRange> Ranges(SourceNode node, string what, string unit, int min, int max)
    {
        var result = new List<PortRange>();
        string itemWhat = $"a {unit}";
        foreach (SourceNode item in reader.List(node, what))
        {
            string? text = reader.Text(item, itemWhat);
            if (text is null)
            {
                continue;
            }

            SourcePosition at = reader.At(item);
            if (!TryParseRange(text, out int first, out int last))
            {
                string[] parts = text.Split('-');
                bool overflow = parts.Length <= 2 && parts.All(p => p.Trim().Length > 0 && p.Trim().All(char.IsAsciiDigit));
                reader.Bag.Error(at, overflow
                    ? $"{unit} {text} is out of range {min}-{max}"
                    : $"invalid {unit} '{Quote.Short(text)}': expected a number {min}-{max} or a range such as '{(max == 255 ? "0-8" : "8000-8999")}'");
                continue;
            }

            if (first < min || first > max || last < min || last > max)
            {
                int bad = first < min || first > max ? first : last;
                reader.Bag.Error(at, $"{unit} {bad} is out of range {min}-{max}");
            }
            else if (first > last)
            {
                reader.Bag.Error(at, $"inverted {unit} range '{Quote.Short(text)}': the first {unit} is greater than the last",
                    $"did you mean '{last}-{first}'?");
            }
            else
            {
                result.Add(new PortRange(first, last, at));
            }
        }

        return result;
    }

    // "N" or "A-B", spaces allowed around each number; false when either is no number that fits an int.
    private static bool TryParseRange(string text, out int first, out int last)
    {
        ReadOnlySpan<char> span = text;
        int dash = span.IndexOf('-');
        last = 0;
        if (!int.TryParse(dash < 0 ? span.Trim() : span[..dash].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out first))
        {
            return false;
        }

        if (dash < 0)
        {
            last = first;
            return true;
        }

        ReadOnlySpan<char> rest = span[(dash + 1)..];
        return rest.IndexOf('-') < 0 && int.TryParse(rest.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out last);
    }

    /// <summary>A selector; null (reported) when it is malformed.</summary>
    public Selector? Selector(SourceNode node, string what)
    {
        if (reader.Fields(node, what, SelectorKeys) is not { } fields)
        {
            return null;
        }

        if (!fields.Has("identity") && !fields.Has("any") && !fields.Has("matchLabels") && !fields.Has("matchExpressions"))
        {
            reader.Bag.Error(fields.Position, $"empty selector in {what}", "write 'any: true' to select every identity");
            return null;
        }

        bool byLabels = fields.Has("matchLabels") || fields.Has("matchExpressions");
        if (fields.Has("identity") && (fields.Has("any") || byLabels))
        {
            reader.Bag.Error(reader.At(fields.KeyOf("identity")), $"'identity' cannot be combined with other keys in {what}");
            return null;
        }

        if (fields.Has("any") && byLabels)
        {
            reader.Bag.Error(reader.At(fields.KeyOf("any")), $"'any' cannot be combined with other keys in {what}");
            return null;
        }

        if (fields.Value("any") is { } anyNode)
        {
            if (!(anyNode.IsScalar && anyNode.Value == "true"))
            {
                reader.Bag.Error(reader.At(anyNode), $"'any' must be true, not {NodeReader.Describe(anyNode)}",
                    "leave 'any' out to select by identity or labels");
                return null;
            }

            return Model.Selector.Everything(fields.Position);
        }

        if (fields.Value("identity") is { } identityNode)
        {
            string? name = reader.Text(identityNode, "'identity'");
            return name is null ? null : new Selector(name, false, LabelMap.Empty, [], reader.At(identityNode));
        }

        LabelMap labels = fields.Value("matchLabels") is { } labelsNode
            ? reader.Labels(labelsNode, "'matchLabels'")
            : LabelMap.Empty;
        // Most selectors have no expressions: an empty IReadOnlyList is one shared array.
        IReadOnlyList<SelectorExpression> expressions = [];
        if (fields.Value("matchExpressions") is { } expressionsNode)
        {
            var parsed = new List<SelectorExpression>();
            expressions = parsed;
            foreach (SourceNode item in reader.List(expressionsNode, "'matchExpressions'"))
            {
                if (Expression(item) is { } expression)
                {
                    parsed.Add(expression);
                }
            }
        }

        return new Selector(null, false, labels, expressions, fields.Position);
    }

    private SelectorExpression? Expression(SourceNode node)
    {
        if (reader.Fields(node, "a match expression", ExpressionKeys, "key", "operator") is not { } fields || !fields.Has("key") || !fields.Has("operator"))
        {
            return null;
        }

        string? key = reader.Text(fields.ValueOf("key"), "'key'");
        SelectorOperator? op = reader.Choice(fields.ValueOf("operator"), "operator", Operators);
        if (key is null || op is null)
        {
            return null;
        }

        var values = new List<string>();
        if (fields.Value("values") is { } valuesNode)
        {
            if (op == SelectorOperator.Exists)
            {
                reader.Bag.Error(reader.At(fields.KeyOf("values")), "operator Exists takes no 'values'");
                return null;
            }

            foreach (SourceNode valueNode in reader.List(valuesNode, "'values'"))
            {
                if (reader.Text(valueNode, "a value") is { } value)
                {
                    values.Add(value);
                }
            }
        }

        if (op != SelectorOperator.Exists && values.Count == 0)
        {
            reader.Bag.Error(fields.Position, $"operator {op} needs a non-empty 'values' list");
            return null;
        }

        return new SelectorExpression(key, op.Value, values, fields.Position);
    }
}
