namespace Microseg.Policy.Diff;

/// <summary>What happened to an entry between the old and the new policy.</summary>
public enum ChangeKind
{
    /// <summary>Only the new policy has it.</summary>
    Added,

    /// <summary>Only the old policy has it.</summary>
    Removed,

    /// <summary>Both have it (by name), with at least one field different.</summary>
    Changed,
}
