namespace Microseg.Policy.Diff;

/// <summary>
/// One field that differs, with both values written the way the policy file writes them. Fields
/// holding a set (addresses, ports, ICMP types, <c>from</c>) also list the items that came and went,
/// so a long list does not hide the one address that changed.
/// </summary>
/// <param name="Field">The key as in the file: <c>mode</c>, <c>ports</c>, <c>peer</c>, or <c>labels.KEY</c> for one label.</param>
/// <param name="Old">The old value; null when the field (a label, say) did not exist.</param>
/// <param name="New">The new value; null when the field no longer exists.</param>
/// <param name="Added">Set items only in the new value, in canonical order; empty for scalar fields.</param>
/// <param name="Removed">Set items only in the old value, in canonical order; empty for scalar fields.</param>
public sealed record FieldChange(string Field, string? Old, string? New, IReadOnlyList<string> Added, IReadOnlyList<string> Removed)
{
    /// <summary>A change of a single value.</summary>
    public static FieldChange Scalar(string field, string? old, string? @new) => new(field, old, @new, [], []);
}
