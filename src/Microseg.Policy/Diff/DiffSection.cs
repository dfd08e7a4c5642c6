namespace Microseg.Policy.Diff;

/// <summary>The list of the policy file an entry belongs to.</summary>
public enum DiffSection
{
    /// <summary><c>identities</c>, matched by name.</summary>
    Identity,

    /// <summary><c>endpoints</c>, matched by identity (several entries for one identity pair up in file order).</summary>
    Endpoint,

    /// <summary><c>rules</c>, matched by name.</summary>
    Rule,

    /// <summary><c>boundaries</c>, matched by name.</summary>
    Boundary,

    /// <summary><c>management</c>, matched by name.</summary>
    Management,
}
