using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>A whole policy: the main file and its includes, merged, with every position kept.</summary>
/// <param name="Defaults">Endpoint defaults.</param>
/// <param name="Identities">Declared identities, in file order (reserved ones not included).</param>
/// <param name="Endpoints">Local endpoints.</param>
/// <param name="Rules">Allow and deny rules.</param>
/// <param name="Boundaries">Boundaries.</param>
/// <param name="Management">Management access entries.</param>
/// <param name="ManagementDeclared">True when some file has a <c>management</c> key, even an empty list.</param>
/// <param name="Files">Every file read: the main file first, then includes in order.</param>
public sealed record PolicyDocument(
    PolicyDefaults Defaults,
    IReadOnlyList<IdentityDefinition> Identities,
    IReadOnlyList<LocalEndpoint> Endpoints,
    IReadOnlyList<PolicyRule> Rules,
    IReadOnlyList<Boundary> Boundaries,
    IReadOnlyList<ManagementAccess> Management,
    bool ManagementDeclared,
    IReadOnlyList<string> Files)
{
    /// <summary>
    /// Per rule (same order as <see cref="Rules"/>), the YAML text it was read from, when every
    /// rule was read from a file: lets a compile tell unchanged rules by their text.
    /// </summary>
    internal IReadOnlyList<RuleSource>? RuleSources { get; init; }

    /// <summary>
    /// Each file's text by path, when read from files: what a compile compares to know that
    /// everything read from an unchanged file is unchanged.
    /// </summary>
    internal IReadOnlyDictionary<string, string>? FileTexts { get; init; }

    /// <summary>The reserved identities and then the declared ones: everything a selector can select.</summary>
    public IEnumerable<IdentityDefinition> AllIdentities =>
        new[] { IdentityDefinition.Reserved(IdentityDefinition.HostName), IdentityDefinition.Reserved(IdentityDefinition.WorldName) }
            .Concat(Identities);
}
