namespace Microseg.Policy.Compilation;

/// <summary>Which section of the policy a compiled rule id stands for.</summary>
public enum CompiledRuleKind
{
    /// <summary>An entry of <c>rules</c> (allow or deny).</summary>
    Rule,

    /// <summary>An entry of <c>boundaries</c>.</summary>
    Boundary,

    /// <summary>An entry of <c>management</c>.</summary>
    Management,
}
