using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;

namespace Microseg.Datapath.Maps;

/// <summary>
/// Typed views of the maps the two programs share. Creating it checks every key and value
/// size against the loaded maps, so a mirror that drifted from the ABI fails here by name.
/// </summary>
public sealed class DatapathMaps
{
    /// <summary>ms_abi_version[0]: the MS_ABI_VERSION the maps were made with.</summary>
    public BpfMap<uint, uint> AbiVersion { get; }
    public BpfMap<uint, ControlValue> Control { get; }
    public BpfMap<uint, SlotConfig> SlotConfig { get; }
    public BpfMap<AddressKey, EndpointValue> LocalEndpoints { get; }
    /// <summary>Indexed by <see cref="AbiConstants.InterfaceEndpointIndex"/>: each attached interface's owner, per slot.</summary>
    public BpfMap<uint, EndpointValue> InterfaceEndpoints { get; }
    /// <summary>Per CPU; the programs' own, valid per slot generation. See <see cref="ClearMemos"/>.</summary>
    public BpfMap<uint, EndpointMemo> EndpointMemo { get; }
    /// <summary>Per CPU; the programs' own, valid per slot generation. See <see cref="ClearMemos"/>.</summary>
    public BpfMap<uint, RemoteMemo> RemoteMemo { get; }
    public BpfMap<AddressKey, IdentityValue> RemoteHosts { get; }
    public BpfMap<PrefixKey, IdentityValue> RemotePrefixes { get; }
    public BpfMap<PolicyKey, PolicyValue> Policy { get; }
    public BpfMap<PolicyPortKey, RuleAction> PolicyPorts { get; }
    public BpfMap<PolicyKey, PolicyRanges> PolicyRanges { get; }
    public BpfMap<ConntrackKey, ConntrackEntry> Conntrack { get; }
    public BpfMap<FragmentKey, FragmentValue> Fragments { get; }
    public BpfMap<uint, InterfaceSlot> InterfaceSlots { get; }
    /// <summary>Indexed by <see cref="VerdictCounterKey.Index"/>.</summary>
    public BpfMap<uint, TrafficCounter> VerdictCounters { get; }
    public BpfMap<uint, TrafficCounter> RuleCounters { get; }
    public BpfMap<uint, EventLossCounter> EventLosses { get; }
    /// <summary>Token buckets indexed by a hash of the remote address.</summary>
    public BpfMap<uint, RateLimitState> EventRateLimit { get; }
    /// <summary>Per CPU, one entry: each CPU's share of the global deny event budget.</summary>
    public BpfMap<uint, RateLimitState> EventBudget { get; }
    /// <summary>Entry 0: the epoch denials without an event are counted under.</summary>
    public BpfMap<uint, EventSummaryControl> EventSummaryControl { get; }
    /// <summary>Per CPU hash: denials without an event, by endpoint, direction, service, reason and epoch.</summary>
    public BpfMap<EventSummaryKey, TrafficCounter> EventSummaries { get; }
    /// <summary>Per CPU, indexed by epoch * VerdictCount + verdict: what found <see cref="EventSummaries"/> full.</summary>
    public BpfMap<uint, TrafficCounter> EventSummaryOverflow { get; }
    /// <summary>The ring buffer of <see cref="FlowEvent"/> records.</summary>
    public BpfMap Events { get; }
    public BpfMap<uint, int> RcuBarrier { get; }
    public BpfMap RcuBarrierToken { get; }

    public DatapathMaps(Func<string, BpfMap> map)
    {
        AbiVersion = map(MapNames.AbiVersion).As<uint, uint>();
        Control = map(MapNames.Control).As<uint, ControlValue>();
        SlotConfig = map(MapNames.SlotConfig).As<uint, SlotConfig>();
        LocalEndpoints = map(MapNames.LocalEndpoints).As<AddressKey, EndpointValue>();
        InterfaceEndpoints = map(MapNames.InterfaceEndpoints).As<uint, EndpointValue>();
        EndpointMemo = map(MapNames.EndpointMemo).As<uint, EndpointMemo>();
        RemoteMemo = map(MapNames.RemoteMemo).As<uint, RemoteMemo>();
        RemoteHosts = map(MapNames.RemoteHosts).As<AddressKey, IdentityValue>();
        RemotePrefixes = map(MapNames.RemotePrefixes).As<PrefixKey, IdentityValue>();
        Policy = map(MapNames.Policy).As<PolicyKey, PolicyValue>();
        PolicyPorts = map(MapNames.PolicyPorts).As<PolicyPortKey, RuleAction>();
        PolicyRanges = map(MapNames.PolicyRanges).As<PolicyKey, PolicyRanges>();
        Conntrack = map(MapNames.Conntrack).As<ConntrackKey, ConntrackEntry>();
        Fragments = map(MapNames.Fragments).As<FragmentKey, FragmentValue>();
        InterfaceSlots = map(MapNames.InterfaceSlots).As<uint, InterfaceSlot>();
        VerdictCounters = map(MapNames.VerdictCounters).As<uint, TrafficCounter>();
        RuleCounters = map(MapNames.RuleCounters).As<uint, TrafficCounter>();
        EventLosses = map(MapNames.EventLosses).As<uint, EventLossCounter>();
        EventRateLimit = map(MapNames.EventRateLimit).As<uint, RateLimitState>();
        EventBudget = map(MapNames.EventBudget).As<uint, RateLimitState>();
        EventSummaryControl = map(MapNames.EventSummaryControl).As<uint, EventSummaryControl>();
        EventSummaries = map(MapNames.EventSummaries).As<EventSummaryKey, TrafficCounter>();
        EventSummaryOverflow = map(MapNames.EventSummaryOverflow).As<uint, TrafficCounter>();
        Events = map(MapNames.Events);
        RcuBarrier = map(MapNames.RcuBarrier).As<uint, int>();
        RcuBarrierToken = map(MapNames.RcuBarrierToken);
    }

    /// <summary>
    /// Empties the programs' endpoint and remote identity memos on every CPU. Needed only by
    /// whoever sets slot generations back (a reset to a fresh state): a memo entry is trusted
    /// for as long as the live slot's generation is the one it was read under, and
    /// generations otherwise only grow.
    /// </summary>
    public void ClearMemos()
    {
        var endpoints = new EndpointMemo[BpfMap.PossibleCpuCount];
        for (uint i = 0; i < AbiConstants.EndpointMemoEntries; i++)
            EndpointMemo.UpdatePerCpu(i, endpoints);
        var remotes = new RemoteMemo[BpfMap.PossibleCpuCount];
        for (uint i = 0; i < AbiConstants.RemoteMemoEntries; i++)
            RemoteMemo.UpdatePerCpu(i, remotes);
    }

    /// <summary>The slot packets read now.</summary>
    public uint ActiveSlot => Control.TryLookup(0, out var c) ? c.ActiveSlot & 1 : 0;

    /// <summary>
    /// Returns once every program that was running when it was called has finished: an update
    /// of a map-of-maps makes the kernel wait for an RCU grace period (synchronize_rcu).
    /// </summary>
    public void WaitForRunningPrograms() => RcuBarrier.UpdateFd(0, RcuBarrierToken);

    /// <summary>Every verdict counter that has counted anything, summed over CPUs.</summary>
    public Dictionary<VerdictCounterKey, TrafficCounter> ReadVerdictCounters()
    {
        var result = new Dictionary<VerdictCounterKey, TrafficCounter>();
        Span<TrafficCounter> perCpu = new TrafficCounter[BpfMap.PossibleCpuCount];
        for (uint index = 0; index < AbiConstants.VerdictCounterEntries; index++)
        {
            if (VerdictCounters.TryLookupPerCpu(index, perCpu) && Sum(perCpu) is { Packets: > 0 } total)
                result[VerdictCounterKey.FromIndex(index)] = total;
        }
        return result;
    }

    /// <summary>
    /// Gives an interface its own counters: ifindex to slot (1 to 63). Interfaces without a
    /// slot, or with an ifindex past <see cref="AbiConstants.MaxIfindex"/>, count in slot 0.
    /// </summary>
    public void AssignInterfaceSlot(int ifindex, uint slot)
    {
        if (slot == 0 || slot >= AbiConstants.MaxInterfaceSlots)
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"interface slots run from 1 to {AbiConstants.MaxInterfaceSlots - 1}");
        if ((uint)ifindex >= AbiConstants.MaxIfindex)
            return;
        InterfaceSlots.Update((uint)ifindex, new InterfaceSlot { Slot = slot });
    }

    /// <summary>One rule's packets and bytes, summed over CPUs.</summary>
    public TrafficCounter ReadRuleCounter(uint ruleId)
    {
        Span<TrafficCounter> perCpu = new TrafficCounter[BpfMap.PossibleCpuCount];
        return RuleCounters.TryLookupPerCpu(ruleId, perCpu) ? Sum(perCpu) : default;
    }

    /// <summary>Events not delivered, by reason, summed over CPUs.</summary>
    public ulong ReadEventLosses(EventLossReason reason)
    {
        Span<EventLossCounter> perCpu = new EventLossCounter[BpfMap.PossibleCpuCount];
        if (!EventLosses.TryLookupPerCpu((uint)reason, perCpu))
            return 0;
        ulong total = 0;
        foreach (var c in perCpu)
            total += c.Events;
        return total;
    }

    /// <summary>One counter's per-CPU values added up.</summary>
    internal static TrafficCounter Sum(ReadOnlySpan<TrafficCounter> perCpu)
    {
        var total = default(TrafficCounter);
        foreach (var c in perCpu)
        {
            total.Packets += c.Packets;
            total.Bytes += c.Bytes;
        }
        return total;
    }
}
