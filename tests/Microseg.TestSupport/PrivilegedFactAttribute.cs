using Xunit;

namespace Microseg.TestSupport;

/// <summary>
/// A fact that needs root-equivalent privileges, bpffs and iproute2. Outside CI it is
/// skipped with a reason naming what is missing; with CI=true it always runs, so a CI
/// machine lacking a capability fails loudly instead of silently skipping.
/// </summary>
public sealed class PrivilegedFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the environment cannot run the test.</summary>
    public PrivilegedFactAttribute()
    {
        if (PrivilegedEnvironment.MissingRequirement is { } missing)
            Skip = missing;
    }
}
