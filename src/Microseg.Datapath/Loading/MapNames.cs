namespace Microseg.Datapath.Loading;

/// <summary>The maps' names in the eBPF objects, defined once.</summary>
public static class MapNames
{
    public const string AbiVersion = "ms_abi_version";
    public const string Control = "ms_control";
    public const string SlotConfig = "ms_slot_config";
    public const string LocalEndpoints = "ms_local_endpoints";
    public const string InterfaceEndpoints = "ms_interface_endpoints";
    public const string EndpointMemo = "ms_endpoint_memo";
    public const string RemoteMemo = "ms_remote_memo";
    public const string RemoteHosts = "ms_remote_hosts";
    public const string RemotePrefixes = "ms_remote_prefixes";
    public const string Policy = "ms_policy";
    public const string PolicyPorts = "ms_policy_ports";
    public const string PolicyRanges = "ms_policy_ranges";
    public const string Conntrack = "ms_conntrack";
    public const string Fragments = "ms_fragments";
    public const string VerdictCounters = "ms_verdict_counters";
    public const string InterfaceSlots = "ms_interface_slots";
    public const string EventScratch = "ms_event_scratch";
    public const string RuleCounters = "ms_rule_counters";
    public const string EventLosses = "ms_event_losses";
    public const string EventRateLimit = "ms_event_rate_limit";
    public const string EventBudget = "ms_event_budget";
    public const string EventSummaryControl = "ms_event_summary_control";
    public const string EventSummaries = "ms_event_summaries";
    public const string EventSummaryOverflow = "ms_event_summary_overflow";
    public const string Events = "ms_events";
    public const string RcuBarrier = "ms_rcu_barrier";
    public const string RcuBarrierToken = "ms_rcu_barrier_token";

    /// <summary>
    /// Every map both programs share, in the order they are pinned: the ABI version first, so
    /// pins a crash left half-made are still recognised as this version's.
    /// </summary>
    public static readonly string[] Shared =
    [
        AbiVersion, Control, SlotConfig, LocalEndpoints, InterfaceEndpoints, EndpointMemo, RemoteHosts, RemoteMemo, RemotePrefixes, Policy, PolicyPorts,
        PolicyRanges, Conntrack, Fragments, InterfaceSlots, VerdictCounters, RuleCounters,
        EventLosses, EventRateLimit, EventBudget, EventSummaryControl, EventSummaries, EventSummaryOverflow,
        EventScratch, Events, RcuBarrier, RcuBarrierToken,
    ];

    public const string IngressProgram = "ms_xdp_ingress";
    public const string EgressProgram = "ms_tc_egress";
    public const string IngressObjectFile = "xdp_ingress.bpf.o";
    public const string EgressObjectFile = "tc_egress.bpf.o";
}
