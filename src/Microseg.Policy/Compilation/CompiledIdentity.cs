namespace Microseg.Policy.Compilation;

/// <summary>A kernel identity number and what it stands for.</summary>
/// <param name="Id">The kernel's identity: 1 world, 2 host, 256 upwards for the rest.</param>
/// <param name="Name">
/// The identity's name; for an identity made for management sources, the underlying
/// identity's name followed by the management entries, as <c>world+admin-ssh</c>.
/// </param>
/// <param name="Addresses">
/// The remote addresses and prefixes (as written: <c>10.0.0.1</c>, <c>10.0.0.0/8</c>) the
/// compiler filed under this number, sorted; endpoint addresses included.
/// </param>
/// <param name="BaseIdentity">The declared or reserved identity whose rules apply to this one (its own name, except for management sources).</param>
/// <param name="Management">Names of the management entries whose sources these addresses are; empty for declared identities.</param>
public sealed record CompiledIdentity(
    uint Id,
    string Name,
    IReadOnlyList<string> Addresses,
    string BaseIdentity,
    IReadOnlyList<string> Management);
