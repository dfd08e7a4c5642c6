using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;

namespace Microseg.Flows.Suggestion;

/// <summary>
/// The selector a suggested rule uses for one identity: its labels, when a few of them select that
/// identity and no other in the policy (so the rule reads in the policy's own terms and follows
/// the identity if it is renamed), else its name. Never a selector that selects more: the rule
/// must allow exactly what was observed.
/// </summary>
internal static class IdentitySelectors
{
    private static readonly SourcePosition Here = new("<suggested>", 0, 0);

    public static Selector For(string name, IReadOnlyList<IdentityDefinition> all)
    {
        IdentityDefinition? identity = all.FirstOrDefault(i => i.Name == name);
        if (identity is null || identity.IsReserved || identity.Labels.Count == 0)
        {
            return ByName(name);
        }

        List<KeyValuePair<string, string>> labels = identity.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
        IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> candidates =
            labels.Select(l => (IReadOnlyList<KeyValuePair<string, string>>)[l])
                .Concat(labels.SelectMany((a, i) => labels.Skip(i + 1).Select(b => (IReadOnlyList<KeyValuePair<string, string>>)[a, b])))
                .Append(labels);
        foreach (IReadOnlyList<KeyValuePair<string, string>> subset in candidates)
        {
            var selector = new Selector(null, false, subset.ToDictionary(l => l.Key, l => l.Value), [], Here);
            if (all.Count(selector.Matches) == 1)
            {
                return selector;
            }
        }

        return ByName(name);
    }

    public static Selector ByName(string name) => new(name, false, new Dictionary<string, string>(), [], Here);
}
