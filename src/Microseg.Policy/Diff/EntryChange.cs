namespace Microseg.Policy.Diff;

/// <summary>An identity, endpoint, rule, boundary or management entry that was added, removed or changed.</summary>
/// <param name="Section">Which list of the file it is in.</param>
/// <param name="Name">Its name (for an endpoint, its identity; <c>NAME#2</c> for a second entry of one identity).</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Summary">The entry in one line: the new one when added or changed, the old one when removed.</param>
/// <param name="Fields">For a changed entry, each field that differs, in the file format's key order; empty otherwise.</param>
public sealed record EntryChange(DiffSection Section, string Name, ChangeKind Kind, string Summary, IReadOnlyList<FieldChange> Fields);
