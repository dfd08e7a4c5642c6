namespace Microseg.Agent.Control;

/// <summary>The daemon's state at one moment; serialized as the control API's status.</summary>
public sealed record AgentStatusSnapshot(
    string Version,
    DateTimeOffset StartedAt,
    string PolicyPath,
    string? PolicySha256,
    uint PolicyGeneration,
    DateTimeOffset? PolicyAppliedAt,
    IReadOnlyList<InterfaceStatus> Interfaces,
    IReadOnlyList<EndpointStatus> Endpoints,
    IReadOnlyList<ProgramStatus> Programs,
    IReadOnlyList<MapOccupancy> Maps,
    IReadOnlyList<VerdictCount> Verdicts,
    IReadOnlyList<RuleHits> Rules,
    ulong ConntrackEntries,
    ReloadStats Reloads,
    EventStats Events,
    AttributionStatus? Attribution = null,
    IReadOnlyList<string>? AddressWarnings = null);

/// <summary>An interface the programs are attached to; XdpMode is "native" or "generic".</summary>
public sealed record InterfaceStatus(string Name, int Ifindex, string XdpMode, bool EgressAttached);

/// <summary>A local endpoint as the live policy defines it; Mode is "off", "monitor" or "enforce".</summary>
public sealed record EndpointStatus(string Identity, IReadOnlyList<string> Addresses, string Mode);

public sealed record ProgramStatus(string Name, uint Id, string Tag);

/// <summary>Entries in a map against its capacity (both slots, for the policy maps).</summary>
public sealed record MapOccupancy(string Map, long Entries, long Capacity);

/// <summary>One verdict counter: lower-case names as in the metrics' labels.</summary>
public sealed record VerdictCount(string Interface, string Direction, string Verdict, string Reason, ulong Packets, ulong Bytes);

public sealed record RuleHits(string Rule, string Kind, ulong Packets, ulong Bytes);

public sealed record ReloadStats(long Succeeded, long Failed, DateTimeOffset? LastSuccess, IReadOnlyList<string> LastErrors);

/// <summary>
/// Ring buffer events: read by the daemon, and not delivered by the kernel by reason (the
/// per-source rate limit, the global budget, a full ring); the denials among those the daemon
/// has recorded from the kernel's deny summaries, by verdict.
/// </summary>
public sealed record EventStats(long Delivered, ulong LostRateLimited, ulong LostRingFull,
    ulong LostBudget = 0, long SummarisedDenials = 0, long SummarisedWouldDenials = 0);

/// <summary>
/// What naming new flows' local units came to (null when attribution is off): named by the
/// resolver, named at once from a listener's cached unit, left unnamed (no socket found, or
/// its cgroup gone), or dropped unnamed because the resolver's queue was full.
/// </summary>
public sealed record AttributionStatus(long Resolved, long Cached, long Unresolved, long Dropped);

/// <summary>What a reload did: applied (with the new generation), or refused with its errors.</summary>
public sealed record ReloadOutcome(bool Applied, uint Generation, IReadOnlyList<string> Errors);
