using System.Runtime.CompilerServices;

namespace Microseg.Datapath.Abi;

/// <summary>Mirrors a C <c>__u8 pad[3]</c>: named padding, always zero.</summary>
[InlineArray(3)]
public struct Padding3
{
    private byte _first;
}

/// <summary>Mirrors a C <c>__u8 pad[4]</c>.</summary>
[InlineArray(4)]
public struct Padding4
{
    private byte _first;
}

/// <summary>Mirrors a C <c>__u8 pad[5]</c>.</summary>
[InlineArray(5)]
public struct Padding5
{
    private byte _first;
}

/// <summary>Mirrors a C <c>__u8 pad[7]</c>.</summary>
[InlineArray(7)]
public struct Padding7
{
    private byte _first;
}
