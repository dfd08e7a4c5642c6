namespace Microseg.Policy.Diagnostics;

/// <summary>How bad a problem is: any error makes the policy invalid; warnings do not.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}
