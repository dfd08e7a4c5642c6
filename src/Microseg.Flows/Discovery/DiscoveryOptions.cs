namespace Microseg.Flows.Discovery;

/// <summary>How a discovery graph aggregates and how big it may grow.</summary>
/// <param name="MaxEdges">
/// Edges kept; past it the least recently seen edge is evicted (and counted). 20,000 edges hold a
/// few hundred services talking to a few dozen peers each, in a few MiB of memory and file.
/// </param>
/// <param name="WorldPrefixV4">
/// Split world (addresses no identity claims) into groups of this IPv4 prefix length (24 is
/// typical); 0 keeps one world node.
/// </param>
/// <param name="WorldPrefixV6">As <paramref name="WorldPrefixV4"/> for IPv6 (64 is typical).</param>
/// <param name="MaxAddressesPerNode">Addresses remembered per node and side, for suggestions.</param>
/// <param name="MaxSamplesPerEdge">Address pairs remembered per edge, for replays.</param>
/// <param name="MaxLocalUnitsPerEdge">
/// Local units (systemd units of the local sockets) remembered per edge: an edge is usually one
/// service; a few cover an egress edge several local programs share.
/// </param>
/// <param name="MaxLocalUnitsPerNode">Local units remembered per node, over all its edges.</param>
public sealed record DiscoveryOptions(
    int MaxEdges = 20_000,
    int WorldPrefixV4 = 0,
    int WorldPrefixV6 = 0,
    int MaxAddressesPerNode = 64,
    int MaxSamplesPerEdge = 4,
    int MaxLocalUnitsPerEdge = 4,
    int MaxLocalUnitsPerNode = 16)
{
    /// <summary>World groups by /24 and /64.</summary>
    public static DiscoveryOptions WorldByCidr { get; } = new(WorldPrefixV4: 24, WorldPrefixV6: 64);

    /// <summary>Throws when a bound is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEdges, 1, nameof(MaxEdges));
        ArgumentOutOfRangeException.ThrowIfNotEqual(WorldPrefixV4 is >= 0 and <= 32, true, nameof(WorldPrefixV4));
        ArgumentOutOfRangeException.ThrowIfNotEqual(WorldPrefixV6 is >= 0 and <= 128, true, nameof(WorldPrefixV6));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxAddressesPerNode, nameof(MaxAddressesPerNode));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxSamplesPerEdge, nameof(MaxSamplesPerEdge));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxLocalUnitsPerEdge, nameof(MaxLocalUnitsPerEdge));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxLocalUnitsPerNode, nameof(MaxLocalUnitsPerNode));
    }
}
