namespace Microseg.Bpf;

/// <summary>One member of a BTF struct or union.</summary>
public sealed class BtfMember
{
    /// <summary>Creates a member description.</summary>
    public BtfMember(string name, uint bitOffset, uint size, uint bitfieldSize)
    {
        Name = name;
        BitOffset = bitOffset;
        Size = size;
        BitfieldSize = bitfieldSize;
    }

    /// <summary>The member's name; empty for an anonymous struct or union member.</summary>
    public string Name { get; }

    /// <summary>Offset from the start of the enclosing type, in bits.</summary>
    public uint BitOffset { get; }

    /// <summary>Offset in whole bytes (BitOffset / 8; for a bitfield, the byte holding its first bit).</summary>
    public uint ByteOffset => BitOffset / 8;

    /// <summary>Size in bytes of the member's type after typedefs, const/volatile and arrays are resolved.</summary>
    public uint Size { get; }

    /// <summary>Width in bits for a bitfield member; 0 for an ordinary member.</summary>
    public uint BitfieldSize { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"{(Name.Length == 0 ? "(anonymous)" : Name)} @{ByteOffset} size {Size}{(BitfieldSize != 0 ? $" :{BitfieldSize} (bit {BitOffset})" : string.Empty)}";
}
