namespace Microseg.Bpf;

/// <summary>The layout of a C struct or union as its BTF records it.</summary>
public sealed class BtfStructLayout
{
    /// <summary>Creates a layout.</summary>
    public BtfStructLayout(string name, uint size, bool isUnion, IReadOnlyList<BtfMember> members)
    {
        Name = name;
        Size = size;
        IsUnion = isUnion;
        Members = members;
    }

    /// <summary>The struct's tag name.</summary>
    public string Name { get; }

    /// <summary>sizeof the struct, in bytes.</summary>
    public uint Size { get; }

    /// <summary>True for a union.</summary>
    public bool IsUnion { get; }

    /// <summary>Members in declaration order.</summary>
    public IReadOnlyList<BtfMember> Members { get; }

    /// <summary>The named member; throws naming the struct if there is none.</summary>
    public BtfMember GetMember(string name)
    {
        foreach (BtfMember member in Members)
        {
            if (member.Name == name)
                return member;
        }
        throw new KeyNotFoundException($"struct {Name} has no member '{name}'; it has: {string.Join(", ", Members.Select(m => m.Name.Length == 0 ? "(anonymous)" : m.Name))}.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{(IsUnion ? "union" : "struct")} {Name} ({Size} bytes, {Members.Count} members)";
}
