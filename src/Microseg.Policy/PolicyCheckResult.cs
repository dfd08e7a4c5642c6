using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;

namespace Microseg.Policy;

/// <summary>What checking a policy file found.</summary>
/// <param name="ReadFailure">One sentence when the main file could not be read at all (missing, a directory, binary, too big); null otherwise.</param>
/// <param name="Document">The policy as far as it could be read; null when nothing usable was found.</param>
/// <param name="Diagnostics">Every problem, ordered by file, line and column.</param>
public sealed record PolicyCheckResult(string? ReadFailure, PolicyDocument? Document, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when the file was read, parsed, and has no error (warnings allowed).</summary>
    public bool IsValid => ReadFailure is null && Document is not null && !Diagnostics.Any(d => d.IsError);
}
