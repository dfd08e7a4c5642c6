using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// Puts a loaded datapath back into the state of a fresh load, so fixture rows can share one
/// load (verifying both programs costs about half a second) without sharing state: no flow,
/// fragment, policy or token bucket survives. Counters are left alone: rows judge by deltas.
/// </summary>
public static class DatapathReset
{
    public static void Reset(LoadedDatapath datapath)
    {
        var maps = datapath.Maps;
        maps.Conntrack.Clear();
        maps.Fragments.Clear();
        maps.LocalEndpoints.Clear();
        maps.RemoteHosts.Clear();
        maps.RemotePrefixes.Clear();
        maps.Policy.Clear();
        maps.PolicyPorts.Clear();
        maps.PolicyRanges.Clear();
        maps.ClearMemos();
        maps.Control.Update(0, default);
        for (uint slot = 0; slot < AbiConstants.SlotCount; slot++)
            maps.SlotConfig.Update(slot, default);
        // Every token bucket back to "never used" (it then starts full).
        var buckets = new uint[AbiConstants.RateLimitBuckets];
        for (uint i = 0; i < buckets.Length; i++)
            buckets[i] = i;
        maps.EventRateLimit.UpdateBatch(buckets, new RateLimitState[buckets.Length]);
        using var events = new RingBufferReader(maps.Events);
        var discard = new FlowEventCollector([]);
        events.Drain(ref discard);
    }
}
