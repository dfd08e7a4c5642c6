using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>A named group of workloads: its labels and the remote addresses that carry it.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Labels">Label key to value.</param>
/// <param name="Addresses">Host addresses and prefixes.</param>
/// <param name="Position">Where the entry starts.</param>
/// <param name="IsReserved">True for the built-in <c>host</c> and <c>world</c>.</param>
public sealed record IdentityDefinition(
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<AddressEntry> Addresses,
    SourcePosition Position,
    bool IsReserved = false)
{
    /// <summary>Name of the reserved identity for this machine.</summary>
    public const string HostName = "host";

    /// <summary>Name of the reserved identity for every address no identity claims.</summary>
    public const string WorldName = "world";

    /// <summary>The label key carried only by the reserved identities.</summary>
    public const string ReservedLabel = "reserved";

    /// <summary>The reserved identity <paramref name="name"/> (<c>host</c> or <c>world</c>).</summary>
    public static IdentityDefinition Reserved(string name) =>
        new(name, new Dictionary<string, string> { [ReservedLabel] = name }, [], new SourcePosition("<built-in>", 0, 0), IsReserved: true);
}
