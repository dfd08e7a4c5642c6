namespace Microseg.Datapath.Abi;

/// <summary>Mirrors the constants of microseg_abi.h (enums there, so their values reach BTF).</summary>
[MirrorsCEnum("ms_abi", "MS_")]
[MirrorsCEnum("ms_identity_reserved", "MS_")]
[MirrorsCEnum("ms_policy_limits", "MS_")]
[MirrorsCEnum("ms_counter_limits", "MS_")]
[MirrorsCEnum("ms_event_limits", "MS_")]
[MirrorsCEnum("ms_memo_limits", "MS_")]
[MirrorsCEnum("ms_interface_endpoint_layout", "MS_")]
[MirrorsCEnum("ms_event_summary_limits", "MS_")]
public static class AbiConstants
{
    /// <summary>The layout version of the pinned maps this build makes and adopts (ms_abi_version).</summary>
    public const uint AbiVersion = 1;
    public const uint IdentityAny = 0;
    public const uint IdentityWorld = 1;
    public const uint IdentityHost = 2;
    public const uint IdentityFirstUser = 256;
    public const byte ProtocolAny = 0;
    public const int MaxPortRanges = 16;
    public const int SlotCount = 2;
    public const uint VerdictCount = 5;
    public const uint ReasonCount = 12;
    public const int EventLossCount = 3;
    public const uint MaxInterfaceSlots = 64;
    public const uint MaxIfindex = 65536;
    public const uint VerdictCounterEntries = MaxInterfaceSlots * 2 * VerdictCount * ReasonCount;
    public const uint RateLimitBuckets = 16384;
    public const uint EndpointMemoEntries = 256;
    public const uint RemoteMemoEntries = 1024;
    /// <summary>enum ms_interface_endpoint_layout: entries of ms_interface_endpoints.</summary>
    public const uint InterfaceEndpointEntries = MaxInterfaceSlots * SlotCount;

    /// <summary>MS_INTERFACE_ENDPOINT_INDEX: where an interface slot's owner sits for one policy slot.</summary>
    public static uint InterfaceEndpointIndex(uint interfaceSlot, uint slot) => interfaceSlot * SlotCount + slot;
    /// <summary>enum ms_event_summary_limits: entries of ms_event_summaries, both epochs.</summary>
    public const uint EventSummaryEntries = 8192;
    /// <summary>enum ms_event_summary_limits: the epoch written and the one being read.</summary>
    public const uint EventSummaryEpochs = 2;
    /// <summary>enum ms_event_summary_limits: ms_event_summary_overflow, indexed by epoch * VerdictCount + verdict.</summary>
    public const uint EventSummaryOverflowEntries = EventSummaryEpochs * VerdictCount;
}

/// <summary>enum ms_direction.</summary>
[MirrorsCEnum("ms_direction", "MS_DIRECTION_")]
public enum Direction : byte { Ingress = 0, Egress = 1 }

/// <summary>enum ms_mode.</summary>
[MirrorsCEnum("ms_mode", "MS_MODE_")]
public enum EndpointMode : byte { Off = 0, Monitor = 1, Enforce = 2 }

/// <summary>enum ms_flow_origin: how a tracked flow's opener is known.</summary>
[MirrorsCEnum("ms_flow_origin", "MS_ORIGIN_")]
public enum FlowOrigin : byte
{
    /// <summary>Its first packet opened it: the entry's direction and policy port are the opener's.</summary>
    FirstPacket = 0,
    /// <summary>Picked up mid-stream (TCP without SYN): allowed only if allowed whichever side opened it.</summary>
    MidStream = 1,
}

/// <summary>enum ms_action.</summary>
[MirrorsCEnum("ms_action", "MS_ACTION_")]
public enum RuleActionKind : byte { Allow = 1, Deny = 2 }

/// <summary>enum ms_verdict: what happened to a packet.</summary>
[MirrorsCEnum("ms_verdict", "MS_VERDICT_")]
public enum Verdict : byte { Allow = 1, Deny = 2, WouldDeny = 3, Unenforced = 4 }

/// <summary>enum ms_reason: the path that produced a verdict.</summary>
[MirrorsCEnum("ms_reason", "MS_REASON_")]
public enum VerdictReason : byte
{
    PolicyRule = 1,
    PolicyDefault = 2,
    Established = 3,
    Related = 4,
    PolicyRevoked = 5,
    Malformed = 6,
    Fragment = 7,
    FragmentUntracked = 8,
    EndpointOff = 9,
    NotIp = 10,
    NeighborDiscovery = 11,
}

/// <summary>enum ms_event_kind. <see cref="DenySummary"/> is never in the ring: it is the kind of the
/// records the daemon makes of ms_event_summaries.</summary>
[MirrorsCEnum("ms_event_kind", "MS_EVENT_")]
public enum FlowEventKind : byte { NewFlow = 1, Deny = 2, WouldDeny = 3, FlowEnd = 4, DenySummary = 5 }

/// <summary>enum ms_event_loss: index into ms_event_losses.</summary>
[MirrorsCEnum("ms_event_loss", "MS_EVENT_LOSS_")]
public enum EventLossReason : uint { RateLimited = 0, RingFull = 1, Budget = 2 }

/// <summary>enum ms_endpoint_flags (MS_ENDPOINT_F_*); None is C's absence of flags.</summary>
[Flags]
[MirrorsCEnum("ms_endpoint_flags", "MS_ENDPOINT_F_")]
public enum EndpointFlags : byte
{
    None = 0,
    IngressDefaultAllow = 1 << 0,
    EgressDefaultAllow = 1 << 1,
    IngressAnyRemote = 1 << 2,
    EgressAnyRemote = 1 << 3,
    IngressAnyProtocol = 1 << 4,
    EgressAnyProtocol = 1 << 5,
}

/// <summary>enum ms_policy_flags (MS_POLICY_F_*); None is C's absence of flags.</summary>
[Flags]
[MirrorsCEnum("ms_policy_flags", "MS_POLICY_F_")]
public enum PolicyFlags : byte
{
    None = 0,
    ExactPorts = 1 << 0,
    PortRanges = 1 << 1,
    AnyPort = 1 << 2,
}

/// <summary>enum ms_slot_flags (MS_SLOT_F_*); None is C's absence of flags.</summary>
[Flags]
[MirrorsCEnum("ms_slot_flags", "MS_SLOT_F_")]
public enum SlotFlags : byte
{
    None = 0,
    RemotePrefixes = 1 << 0,
}
