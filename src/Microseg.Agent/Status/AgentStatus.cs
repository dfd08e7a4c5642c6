using System.Reflection;
using Microseg.Agent.Control;
using Microseg.Agent.Events;
using Microseg.Agent.Lifecycle;
using Microseg.Agent.Reload;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;
using Microseg.Policy.Compilation;

namespace Microseg.Agent.Status;

/// <summary>
/// The daemon's <see cref="IAgentStatus"/>: every snapshot is read from the live maps (entry
/// counts, counters, conntrack) and the live policy (names), so the control API and the
/// metrics see the kernel's numbers, not a cached copy.
/// </summary>
public sealed class AgentStatus(
    DatapathSession session,
    InterfaceManager interfaces,
    PolicyReloader reloader,
    EventDrain events,
    Flows.FlowStore? flows = null,
    Action? onReloadRequested = null,
    EventSummaryDrain? summaries = null) : IAgentStatus
{
    private static readonly string s_version =
        typeof(AgentStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public AgentStatusSnapshot Snapshot()
    {
        var maps = session.Maps;
        var live = reloader.Live;
        var attached = interfaces.Attached;
        var conntrack = Count(maps.Conntrack);
        return new AgentStatusSnapshot(
            s_version,
            StartedAt,
            reloader.PolicyPath,
            reloader.LiveSha256,
            live is null ? 0 : session.Writer.ActiveGeneration,
            reloader.AppliedAt,
            [.. attached.Select(a => new InterfaceStatus(a.DisplayName, a.Ifindex, a.XdpMode, EgressAttached: true))],
            Endpoints(),
            [
                new ProgramStatus(session.Ingress.Name, session.Ingress.Id, session.Ingress.Tag),
                new ProgramStatus(session.Egress.Name, session.Egress.Id, session.Egress.Tag),
            ],
            [
                Occupancy(MapNames.LocalEndpoints, maps.LocalEndpoints.Map, Count(maps.LocalEndpoints)),
                Occupancy(MapNames.InterfaceEndpoints, maps.InterfaceEndpoints.Map, CountOwners(maps)),
                Occupancy(MapNames.RemoteHosts, maps.RemoteHosts.Map, Count(maps.RemoteHosts)),
                Occupancy(MapNames.RemotePrefixes, maps.RemotePrefixes.Map, Count(maps.RemotePrefixes)),
                Occupancy(MapNames.Policy, maps.Policy.Map, Count(maps.Policy)),
                Occupancy(MapNames.PolicyPorts, maps.PolicyPorts.Map, Count(maps.PolicyPorts)),
                Occupancy(MapNames.PolicyRanges, maps.PolicyRanges.Map, Count(maps.PolicyRanges)),
                Occupancy(MapNames.Conntrack, maps.Conntrack.Map, conntrack),
                Occupancy(MapNames.Fragments, maps.Fragments.Map, Count(maps.Fragments)),
            ],
            Verdicts(),
            Rules(live),
            (ulong)conntrack,
            reloader.Stats,
            new EventStats(events.Delivered, maps.ReadEventLosses(EventLossReason.RateLimited), maps.ReadEventLosses(EventLossReason.RingFull),
                maps.ReadEventLosses(EventLossReason.Budget), summaries?.SummarisedDenials ?? 0, summaries?.SummarisedWouldDenials ?? 0),
            flows?.Attribution is { } a ? new AttributionStatus(a.Named, a.CacheHits, a.Unnamed, a.Dropped) : null,
            reloader.AddressWarnings);
    }

    // ms_interface_endpoints is an array: its entries are the owners written (identity not 0).
    private static long CountOwners(Microseg.Datapath.Maps.DatapathMaps maps)
    {
        long owners = 0;
        for (uint i = 0; i < AbiConstants.InterfaceEndpointEntries; i++)
        {
            if (maps.InterfaceEndpoints.TryLookup(i, out var owner) && owner.Identity != AbiConstants.IdentityAny)
                owners++;
        }
        return owners;
    }

    public Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken)
    {
        onReloadRequested?.Invoke();
        return reloader.ReloadAsync(cancellationToken);
    }

    private List<EndpointStatus> Endpoints() =>
        reloader.LiveDocument is { } document
            ? [.. document.Endpoints.Select(e => new EndpointStatus(e.Identity, [.. e.Addresses.Select(a => a.ToString())], e.Mode.ToString().ToLowerInvariant()))]
            : [];

    private List<VerdictCount> Verdicts() =>
    [
        .. session.Maps.ReadVerdictCounters()
            .OrderBy(c => c.Key.Index)
            .Select(c => new VerdictCount(
                interfaces.NameOfSlot(c.Key.InterfaceSlot),
                c.Key.Direction.Name(),
                SnakeCase(c.Key.Verdict.ToString()),
                SnakeCase(c.Key.Reason.ToString()),
                c.Value.Packets,
                c.Value.Bytes)),
    ];

    private List<RuleHits> Rules(CompiledPolicy? live)
    {
        if (live is null)
            return [];
        var result = new List<RuleHits>(live.Rules.Count);
        foreach (var rule in live.Rules)
        {
            var counter = session.Maps.ReadRuleCounter(rule.Id);
            result.Add(new RuleHits(rule.Name, rule.Kind.ToString().ToLowerInvariant(), counter.Packets, counter.Bytes));
        }
        return result;
    }

    private static MapOccupancy Occupancy(string name, BpfMap map, long entries) => new(name, entries, map.MaxEntries);

    /// <summary>Entries in a hash map: one key walk (a syscall per key), cheap at the sizes a host holds.</summary>
    private static long Count<TKey, TValue>(BpfMap<TKey, TValue> map) where TKey : unmanaged where TValue : unmanaged
        => map.CountEntries();

    /// <summary>WouldDeny → would_deny: the metrics' label style.</summary>
    public static string SnakeCase(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
                builder.Append('_');
            builder.Append(char.ToLowerInvariant(pascal[i]));
        }
        return builder.ToString();
    }
}
