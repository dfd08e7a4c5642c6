using System.Diagnostics.Metrics;
using Microseg.Agent.Control;

namespace Microseg.Agent.Metrics;

/// <summary>
/// microsegd's instruments: a <see cref="Meter"/> named <see cref="MeterName"/> whose observable
/// instruments all read <see cref="IAgentStatus.Snapshot"/>. Inside a scrape (<see cref="BeginScrape"/>)
/// every callback sees the one snapshot taken when the scrape began, so a packet counter and its
/// byte counter, or a map's entries and its capacity, always come from the same moment. A listener
/// other than ours (dotnet-counters, OpenTelemetry) that records outside a scrape gets a fresh
/// snapshot per instrument instead.
/// </summary>
/// <remarks>
/// Names follow Prometheus conventions and are used as they are in the exposition: a unit suffix
/// where there is a unit, <c>_total</c> on counters. The datapath's counters are unsigned 64-bit;
/// the instruments are 64-bit signed (the widest integer System.Diagnostics.Metrics takes), and a
/// counter past 2^63 - 1 (centuries of line-rate traffic) would be clamped rather than wrap negative.
/// </remarks>
public sealed class MicrosegMetrics : IDisposable
{
    /// <summary>The meter's name, for listeners that select by name.</summary>
    public const string MeterName = "Microseg.Agent";

    // Where snapshots come from.
    private readonly IAgentStatus _status;

    // Serializes scrapes: the cached snapshot belongs to one scrape at a time.
    private readonly Lock _scrapeGate = new();

    // The snapshot of the scrape in progress, or null outside a scrape.
    private AgentStatusSnapshot? _scrapeSnapshot;

    public MicrosegMetrics(IAgentStatus status)
    {
        _status = status;
        Meter = new Meter(MeterName, typeof(MicrosegMetrics).Assembly.GetName().Version?.ToString());

        Meter.CreateObservableCounter(
            "microseg_packets_total", () => Verdicts(v => v.Packets), "{packet}",
            "Packets judged by the datapath, by interface, direction, verdict and reason.");
        Meter.CreateObservableCounter(
            "microseg_bytes_total", () => Verdicts(v => v.Bytes), "By",
            "Bytes of the packets judged by the datapath, by interface, direction, verdict and reason.");
        Meter.CreateObservableCounter(
            "microseg_rule_hits_packets_total", () => Rules(r => r.Packets), "{packet}",
            "Packets decided by each policy rule.");
        Meter.CreateObservableCounter(
            "microseg_rule_hits_bytes_total", () => Rules(r => r.Bytes), "By",
            "Bytes of the packets decided by each policy rule.");
        Meter.CreateObservableGauge(
            "microseg_conntrack_entries", () => Clamp(Current().ConntrackEntries), "{entry}",
            "Entries in the connection tracking map.");
        Meter.CreateObservableGauge(
            "microseg_map_entries", () => Maps(m => m.Entries), "{entry}",
            "Entries in each BPF map (both slots, for the policy maps).");
        Meter.CreateObservableGauge(
            "microseg_map_capacity_entries", () => Maps(m => m.Capacity), "{entry}",
            "Capacity of each BPF map in entries (both slots, for the policy maps).");
        Meter.CreateObservableCounter(
            "microseg_events_delivered_total", () => Current().Events.Delivered, "{event}",
            "Flow events read from the ring buffer by the daemon.");
        Meter.CreateObservableCounter(
            "microseg_events_lost_total", LostEvents, "{event}",
            "Flow events the kernel did not deliver: rate_limited (the per-source rate limit), budget (the global deny event budget) or ring_full; each such denial is in a deny summary.");
        Meter.CreateObservableCounter(
            "microseg_denials_summarised_total", Summarised, "{packet}",
            "Denials recorded from the kernel's deny summaries rather than one event each, by verdict: deny or would_deny.");
        Meter.CreateObservableCounter(
            "microseg_flow_attribution_total", Attribution, "{flow}",
            "New flows by how their local unit was named: resolved (from the kernel's socket table), cached (a listener's unit), unresolved (no socket found) or dropped (the resolver's queue was full).");
        Meter.CreateObservableCounter(
            "microseg_policy_reloads_total", Reloads, "{reload}",
            "Policy reloads by result: succeeded (applied) or failed (refused; the running policy stayed).");
        Meter.CreateObservableGauge(
            "microseg_policy_last_success_timestamp_seconds", LastSuccess, "s",
            "Unix time of the last policy load or reload that was applied; 0 if none has been.");
        Meter.CreateObservableGauge(
            "microseg_policy_generation", () => (long)Current().PolicyGeneration, "{generation}",
            "Generation of the policy in the datapath; it grows by one with each applied policy.");
        Meter.CreateObservableGauge(
            "microseg_build_info", BuildInfo, null,
            "Always 1; the labels say which microsegd is running.");
    }

    /// <summary>The meter every instrument belongs to.</summary>
    public Meter Meter { get; }

    /// <summary>
    /// Takes one snapshot for every instrument recorded until the returned scope is disposed.
    /// Scrapes are serialized: a second caller waits for the first to finish.
    /// </summary>
    public IDisposable BeginScrape()
    {
        _scrapeGate.Enter();
        try
        {
            _scrapeSnapshot = _status.Snapshot();
        }
        catch
        {
            _scrapeGate.Exit();
            throw;
        }

        return new ScrapeScope(this);
    }

    public void Dispose() => Meter.Dispose();

    private AgentStatusSnapshot Current() => Volatile.Read(ref _scrapeSnapshot) ?? _status.Snapshot();

    private IEnumerable<Measurement<long>> Verdicts(Func<VerdictCount, ulong> value) =>
        Current().Verdicts.Select(v => new Measurement<long>(
            Clamp(value(v)),
            new("interface", v.Interface), new("direction", v.Direction), new("verdict", v.Verdict), new("reason", v.Reason)));

    private IEnumerable<Measurement<long>> Rules(Func<RuleHits, ulong> value) =>
        Current().Rules.Select(r => new Measurement<long>(Clamp(value(r)), new("rule", r.Rule), new("kind", r.Kind)));

    private IEnumerable<Measurement<long>> Maps(Func<MapOccupancy, long> value) =>
        Current().Maps.Select(m => new Measurement<long>(value(m), new KeyValuePair<string, object?>("map", m.Map)));

    private IEnumerable<Measurement<long>> Attribution()
    {
        if (Current().Attribution is not { } a)
            yield break;
        yield return new Measurement<long>(a.Resolved, new KeyValuePair<string, object?>("outcome", "resolved"));
        yield return new Measurement<long>(a.Cached, new KeyValuePair<string, object?>("outcome", "cached"));
        yield return new Measurement<long>(a.Unresolved, new KeyValuePair<string, object?>("outcome", "unresolved"));
        yield return new Measurement<long>(a.Dropped, new KeyValuePair<string, object?>("outcome", "dropped"));
    }

    private IEnumerable<Measurement<long>> LostEvents()
    {
        EventStats events = Current().Events;
        return
        [
            new(Clamp(events.LostRateLimited), new KeyValuePair<string, object?>("reason", "rate_limited")),
            new(Clamp(events.LostRingFull), new KeyValuePair<string, object?>("reason", "ring_full")),
            new(Clamp(events.LostBudget), new KeyValuePair<string, object?>("reason", "budget")),
        ];
    }

    private IEnumerable<Measurement<long>> Summarised()
    {
        EventStats events = Current().Events;
        return
        [
            new(events.SummarisedDenials, new KeyValuePair<string, object?>("verdict", "deny")),
            new(events.SummarisedWouldDenials, new KeyValuePair<string, object?>("verdict", "would_deny")),
        ];
    }

    private IEnumerable<Measurement<long>> Reloads()
    {
        ReloadStats reloads = Current().Reloads;
        return
        [
            new(reloads.Succeeded, new KeyValuePair<string, object?>("result", "succeeded")),
            new(reloads.Failed, new KeyValuePair<string, object?>("result", "failed")),
        ];
    }

    private double LastSuccess() =>
        Current().Reloads.LastSuccess is { } at ? at.ToUnixTimeMilliseconds() / 1000.0 : 0;

    private Measurement<long> BuildInfo() =>
        new(1, new("version", Current().Version), new("runtime", Environment.Version.ToString()));

    private static long Clamp(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    /// <summary>Ends a scrape: forgets its snapshot and lets the next one begin.</summary>
    private sealed class ScrapeScope(MicrosegMetrics owner) : IDisposable
    {
        // Guards against a double dispose releasing the gate twice.
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            Volatile.Write(ref owner._scrapeSnapshot, null);
            owner._scrapeGate.Exit();
        }
    }
}
