namespace Microseg.Datapath.Loading;

/// <summary>
/// How many entries each map holds, set at load time. Policy maps hold two complete policies
/// (the live slot and the standby one), so they are sized at twice the per-slot figure; the
/// policy compiler checks an image against the per-slot figures before anything is written.
/// </summary>
public sealed record DatapathCapacities
{
    public uint EndpointsPerSlot { get; init; } = 4096;
    public uint RemoteHostsPerSlot { get; init; } = 65536;
    public uint RemotePrefixesPerSlot { get; init; } = 16384;
    public uint PolicyKeysPerSlot { get; init; } = 65536;
    public uint PolicyPortsPerSlot { get; init; } = 65536;
    public uint PolicyRangeKeysPerSlot { get; init; } = 16384;
    /// <summary>Rule ids run from 1 to Rules - 1; ms_rule_counters is indexed by them.</summary>
    public uint Rules { get; init; } = 65536;
    public uint ConntrackEntries { get; init; } = 262144;
    public uint FragmentEntries { get; init; } = 8192;
    /// <summary>
    /// Ring buffer size: a power of two, at least a page. 2 MiB holds about 20,000 events
    /// (104 bytes each with the header); the reader drains over 200 million a second, and
    /// deny events are rate-limited in the kernel, so the ring only has to cover the daemon's
    /// scheduling delays. Mapped twice into the daemon, it is 4 MiB of its resident memory.
    /// </summary>
    public uint EventRingBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>The defaults: ample for one host's workloads, a few tens of MB of kernel memory.</summary>
    public static DatapathCapacities Default { get; } = new();

    /// <summary>(map name, max_entries) for every map whose size is configurable.</summary>
    public IEnumerable<(string Map, uint MaxEntries)> MapSizes()
    {
        yield return (MapNames.LocalEndpoints, 2 * EndpointsPerSlot);
        yield return (MapNames.RemoteHosts, 2 * RemoteHostsPerSlot);
        yield return (MapNames.RemotePrefixes, 2 * RemotePrefixesPerSlot);
        yield return (MapNames.Policy, 2 * PolicyKeysPerSlot);
        yield return (MapNames.PolicyPorts, 2 * PolicyPortsPerSlot);
        yield return (MapNames.PolicyRanges, 2 * PolicyRangeKeysPerSlot);
        yield return (MapNames.RuleCounters, Rules);
        yield return (MapNames.Conntrack, ConntrackEntries);
        yield return (MapNames.Fragments, FragmentEntries);
        yield return (MapNames.Events, EventRingBytes);
    }
}
