using Microseg.Datapath.Loading;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.Policy.Validation;

namespace Microseg.Policy.Compilation;

/// <summary>
/// The compiler's capacity check for <see cref="PolicyChecker"/>: compiles the policy and
/// reports every way its image exceeds <paramref name="capacities"/> (map sizes, 16 ranges per
/// key, rule counters), each at the file position where it runs out.
/// </summary>
public sealed class PolicyCapacityCheck(DatapathCapacities capacities) : IPolicyCapacityCheck
{
    /// <summary>The check against the default map sizes, as <c>microsegctl policy check</c> uses.</summary>
    public static PolicyCapacityCheck Default { get; } = new(DatapathCapacities.Default);

    /// <inheritdoc />
    public IEnumerable<Diagnostic> Check(PolicyDocument document) =>
        new PolicyCompiler().Compile(document, capacities).CapacityProblems;
}
