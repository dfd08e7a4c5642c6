namespace Microseg.Policy.Diff;

/// <summary>
/// What changes from one policy to another, in terms of identities and rules. Every list is in a
/// fixed order (entries by name, ordinal; fields in the file format's key order), so the same two
/// policies always give the same result, whatever order their entries were written in.
/// </summary>
/// <param name="ModeChanges">Endpoints whose effective mode differs, added and removed endpoints included; by name.</param>
/// <param name="Defaults">The <c>defaults</c> fields that differ (mode, ingress, egress).</param>
/// <param name="Identities">Identities added, removed or changed.</param>
/// <param name="Endpoints">Endpoints added, removed or changed.</param>
/// <param name="Rules">Rules added, removed or changed.</param>
/// <param name="Boundaries">Boundaries added, removed or changed.</param>
/// <param name="Management">Management entries added, removed or changed.</param>
public sealed record PolicyDiffResult(
    IReadOnlyList<ModeChange> ModeChanges,
    IReadOnlyList<FieldChange> Defaults,
    IReadOnlyList<EntryChange> Identities,
    IReadOnlyList<EntryChange> Endpoints,
    IReadOnlyList<EntryChange> Rules,
    IReadOnlyList<EntryChange> Boundaries,
    IReadOnlyList<EntryChange> Management)
{
    /// <summary>Every entry change: identities, endpoints, rules, boundaries, then management.</summary>
    public IEnumerable<EntryChange> Entries => Identities.Concat(Endpoints).Concat(Rules).Concat(Boundaries).Concat(Management);

    /// <summary>False when the two policies say the same thing (positions, comments and order aside).</summary>
    public bool HasChanges => Defaults.Count > 0 || Entries.Any();
}
