using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>
/// Selects identities: by name (<see cref="Identity"/>), all of them (<see cref="Any"/>), or by
/// labels, where every matchLabels entry and every expression must hold.
/// </summary>
/// <param name="Identity">A single identity by name, or null.</param>
/// <param name="Any">True to select every identity, reserved ones included.</param>
/// <param name="MatchLabels">Labels that must be present with these values.</param>
/// <param name="MatchExpressions">Set-based tests that must all hold.</param>
/// <param name="Position">Where the selector starts.</param>
public sealed record Selector(
    string? Identity,
    bool Any,
    IReadOnlyDictionary<string, string> MatchLabels,
    IReadOnlyList<SelectorExpression> MatchExpressions,
    SourcePosition Position)
{
    /// <summary>A selector of every identity, for optional selectors left out.</summary>
    public static Selector Everything(SourcePosition at) => new(null, true, LabelMap.Empty, [], at);

    /// <summary>True when <paramref name="identity"/> is selected.</summary>
    public bool Matches(IdentityDefinition identity)
    {
        if (Any)
        {
            return true;
        }

        if (Identity is not null)
        {
            return Identity == identity.Name;
        }

        // Through the interface, foreach boxes an enumerator per call, and this runs for every
        // candidate of every selector of a large policy: the loader's LabelMap is walked directly.
        if (MatchLabels is LabelMap labels)
        {
            foreach ((string key, string value) in labels.Pairs)
            {
                if (!HasLabel(identity, key, value))
                {
                    return false;
                }
            }
        }
        else
        {
            foreach ((string key, string value) in MatchLabels)
            {
                if (!HasLabel(identity, key, value))
                {
                    return false;
                }
            }
        }

        for (int i = 0; i < MatchExpressions.Count; i++)
        {
            SelectorExpression expression = MatchExpressions[i];
            bool present = identity.Labels.TryGetValue(expression.Key, out string? actual);
            bool holds = expression.Operator switch
            {
                SelectorOperator.In => present && expression.Values.Contains(actual!),
                SelectorOperator.NotIn => !present || !expression.Values.Contains(actual!),
                _ => present,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasLabel(IdentityDefinition identity, string key, string value) =>
        identity.Labels.TryGetValue(key, out string? actual) && actual == value;
}
