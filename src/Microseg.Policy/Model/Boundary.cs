using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>Denies every packet, both ways, between identities on its two sides; beats every allow.</summary>
/// <param name="Name">Unique name; shown in events and metrics.</param>
/// <param name="Between">One side.</param>
/// <param name="And">The other side.</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record Boundary(string Name, Selector Between, Selector And, SourcePosition Position)
{
    /// <summary>True when traffic between <paramref name="a"/> and <paramref name="b"/> crosses this boundary.</summary>
    public bool Separates(IdentityDefinition a, IdentityDefinition b) =>
        (Between.Matches(a) && And.Matches(b)) || (And.Matches(a) && Between.Matches(b));
}
