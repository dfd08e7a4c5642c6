namespace Microseg.Datapath.Abi;

/// <summary>
/// Marks a C# enum, or a static class of constants, as the mirror of an enum in
/// <c>bpf/include/microseg_abi.h</c>. The ABI test compares, both ways, every enumerator in the
/// compiled object's BTF with the mirror's members: the C name less <see cref="Prefix"/>, in
/// <c>PascalCase</c>, must be a member with the same value. A class may mirror several enums.
/// </summary>
[AttributeUsage(AttributeTargets.Enum | AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MirrorsCEnumAttribute(string cName, string prefix) : Attribute
{
    /// <summary>The C enum's name without the <c>enum</c> keyword.</summary>
    public string CName { get; } = cName;

    /// <summary>What every enumerator's name starts with and the C# name leaves out, such as <c>MS_VERDICT_</c>.</summary>
    public string Prefix { get; } = prefix;
}
