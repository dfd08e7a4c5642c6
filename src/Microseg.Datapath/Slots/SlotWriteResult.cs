namespace Microseg.Datapath.Slots;

/// <summary>What one apply did to the maps.</summary>
public readonly record struct SlotWriteResult
{
    /// <summary>Entries added or changed in the standby slot.</summary>
    public int Written { get; init; }
    /// <summary>Entries removed from the standby slot.</summary>
    public int Deleted { get; init; }
    /// <summary>The generation now live.</summary>
    public uint Generation { get; init; }
    /// <summary>The slot now live.</summary>
    public uint Slot { get; init; }

    public SlotWriteResult Add(SlotWriteResult other) =>
        this with { Written = Written + other.Written, Deleted = Deleted + other.Deleted };
}
