using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Model;

/// <summary>An inclusive range of ports (or of ICMP types); a single value has First == Last.</summary>
/// <param name="First">First value, inclusive.</param>
/// <param name="Last">Last value, inclusive; never below First.</param>
/// <param name="Position">Where the entry was written.</param>
public sealed record PortRange(int First, int Last, SourcePosition Position)
{
    /// <summary>"80" or "8000-8999".</summary>
    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}
