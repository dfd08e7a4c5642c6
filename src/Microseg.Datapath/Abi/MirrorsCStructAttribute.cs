namespace Microseg.Datapath.Abi;

/// <summary>
/// Marks a struct as the C# mirror of a struct in <c>bpf/include/microseg_abi.h</c>. The ABI
/// test finds every type carrying it and compares its size and field offsets with the
/// compiled object's BTF; C member <c>snake_case</c> names map to C# <c>PascalCase</c> fields.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
public sealed class MirrorsCStructAttribute(string cName) : Attribute
{
    /// <summary>The C struct's name without the <c>struct</c> keyword.</summary>
    public string CName { get; } = cName;
}
