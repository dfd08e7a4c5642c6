namespace Microseg.Bench.Sre.Configurations;

/// <summary>
/// One configuration under test, installed on its own <see cref="VethPair"/>'s receiver and
/// left there for the whole run so rounds can interleave configurations without re-installing.
/// Dispose removes what Install added outside the pair's namespaces (deleting the namespaces
/// removes the rest).
/// </summary>
internal abstract class SreConfiguration : IDisposable
{
    /// <summary>The name in the table and summary.json (the names).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True when the measured traffic is meant to reach the UDP socket (counted there); false
    /// when it is meant to be dropped (counted as frames the receiver took off the veth).
    /// </summary>
    public abstract bool Delivers { get; }

    /// <summary>The UDP port the generator sends to: the allowed one unless the configuration measures a denied flood.</summary>
    public virtual ushort DestinationPort(RuleSet rules) => rules.AllowedPort;

    /// <summary>Installs the configuration with <paramref name="rules"/> on the receiver of <paramref name="pair"/>.</summary>
    public abstract void Install(VethPair pair, RuleSet rules);

    /// <summary>A line for the log after a measurement (counters the configuration keeps), or null.</summary>
    public virtual string? Describe() => null;

    public virtual void Dispose()
    {
    }
}
