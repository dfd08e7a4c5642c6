using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;

namespace Microseg.Policy.Validation;

/// <summary>
/// Extension point for the checks only the compiler can make: whether the compiled policy fits the
/// kernel's maps (entries per map, at most 16 port ranges per endpoint, peer, direction and protocol
/// after merging). <see cref="PolicyChecker"/> runs it on a policy that has no other error, before
/// anything is written, and reports what it returns like any other diagnostic.
/// </summary>
public interface IPolicyCapacityCheck
{
    /// <summary>Every way <paramref name="document"/> exceeds what the maps hold; empty when it fits.</summary>
    IEnumerable<Diagnostic> Check(PolicyDocument document);
}
