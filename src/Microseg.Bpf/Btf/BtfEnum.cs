namespace Microseg.Bpf;

/// <summary>A C enum as its BTF records it: its name and every enumerator, in declaration order.</summary>
/// <param name="Name">The enum's tag name.</param>
/// <param name="Values">Each enumerator's name and value.</param>
public sealed record BtfEnum(string Name, IReadOnlyList<KeyValuePair<string, long>> Values);
