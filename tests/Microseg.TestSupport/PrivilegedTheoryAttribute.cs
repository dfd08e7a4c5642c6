using Xunit;

namespace Microseg.TestSupport;

/// <summary>The theory counterpart of <see cref="PrivilegedFactAttribute"/>.</summary>
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the environment cannot run the test.</summary>
    public PrivilegedTheoryAttribute()
    {
        if (PrivilegedEnvironment.MissingRequirement is { } missing)
            Skip = missing;
    }
}
