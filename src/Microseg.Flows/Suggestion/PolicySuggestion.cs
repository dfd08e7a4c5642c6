using Microseg.Policy.Model;

namespace Microseg.Flows.Suggestion;

/// <summary>What <see cref="PolicySuggester"/> produced.</summary>
/// <param name="Document">The suggested policy, as read back from <paramref name="Yaml"/> (so it is what policy check sees).</param>
/// <param name="Yaml">The policy file text.</param>
/// <param name="Added">Rules written for observed traffic, in file order.</param>
/// <param name="AddedIdentities">Identities made from observed addresses (absent from the policy given).</param>
/// <param name="AlreadyAllowed">With merge: edges the current policy already allows, left alone.</param>
/// <param name="Notes">Traffic left out and why (a boundary or deny rule blocks it on purpose, a protocol no rule can name alone, …), one sentence each.</param>
public sealed record PolicySuggestion(
    PolicyDocument Document,
    string Yaml,
    IReadOnlyList<SuggestedRule> Added,
    IReadOnlyList<string> AddedIdentities,
    int AlreadyAllowed,
    IReadOnlyList<string> Notes);
