using System.Net.Sockets;
using Microseg.Policy.Loading;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;
using PortRange = Microseg.Policy.Model.PortRange;

namespace Microseg.Policy.Diff;

/// <summary>
/// Writes model values the way the policy file writes them, in one canonical form: two values
/// that mean the same thing (labels in another order, ports 80 and 81-90 against 80-90) render
/// the same, so comparing renderings compares meanings and positions never count.
/// </summary>
internal static class Canonical
{
    public static string Word(EndpointMode mode) => Vocabulary.Modes.First(m => m.Value == mode).Key;

    public static string Word(RuleAction action) => Vocabulary.Actions.First(a => a.Value == action).Key;

    public static string Word(Direction direction) => Vocabulary.Directions.First(d => d.Value == direction).Key;

    public static string Word(Protocol protocol) => Vocabulary.Name(protocol);

    /// <summary><c>any</c>, <c>identity web</c>, or <c>{app=shop, env In [prod, staging], team Exists}</c>.</summary>
    public static string Selector(Selector selector)
    {
        if (selector.Any)
        {
            return "any";
        }

        if (selector.Identity is not null)
        {
            return $"identity {selector.Identity}";
        }

        // All terms must hold, so their order means nothing: sort by key, labels before expressions.
        IEnumerable<(string Key, int Order, string Text)> labels =
            selector.MatchLabels.Select(l => (l.Key, 0, $"{l.Key}={l.Value}"));
        IEnumerable<(string Key, int Order, string Text)> expressions =
            selector.MatchExpressions.Select(e => (e.Key, 1, Expression(e)));
        IEnumerable<string> terms = labels.Concat(expressions)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ThenBy(t => t.Order)
            .ThenBy(t => t.Text, StringComparer.Ordinal)
            .Select(t => t.Text)
            .Distinct();
        return "{" + string.Join(", ", terms) + "}";
    }

    /// <summary><c>{app=shop, env=prod}</c>, keys in ordinal order.</summary>
    public static string Labels(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";

    /// <summary>Addresses as a set: duplicates dropped, IPv4 before IPv6, then by address and prefix length.</summary>
    public static IReadOnlyList<string> Addresses(IEnumerable<AddressEntry> addresses) =>
        addresses
            .OrderBy(a => a.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 1 : 0)
            .ThenBy(a => Convert.ToHexString(a.Network.BaseAddress.GetAddressBytes()), StringComparer.Ordinal)
            .ThenBy(a => a.Network.PrefixLength)
            .Select(a => a.ToString())
            .Distinct()
            .ToList();

    /// <summary>Ranges merged where they overlap or touch, in ascending order: <c>80, 81-90</c> becomes <c>80-90</c>.</summary>
    public static IReadOnlyList<string> Ranges(IEnumerable<PortRange> ranges)
    {
        var merged = new List<(int First, int Last)>();
        foreach (PortRange range in ranges.OrderBy(r => r.First).ThenBy(r => r.Last))
        {
            if (merged.Count > 0 && range.First <= merged[^1].Last + 1)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, range.Last));
            }
            else
            {
                merged.Add((range.First, range.Last));
            }
        }

        return merged.Select(r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}").ToList();
    }

    /// <summary>A set for display: its items comma-separated, or <paramref name="empty"/> when there are none.</summary>
    public static string Join(IReadOnlyList<string> items, string empty) => items.Count == 0 ? empty : string.Join(", ", items);

    private static string Expression(SelectorExpression expression) => expression.Operator switch
    {
        SelectorOperator.Exists => $"{expression.Key} Exists",
        _ => $"{expression.Key} {expression.Operator} [{string.Join(", ", expression.Values.Distinct().Order(StringComparer.Ordinal))}]",
    };
}
