using Microseg.Agent.Control;
using Prometheus;

namespace Microseg.Agent.Metrics;

/// <summary>
/// microsegd's metrics: prometheus-net counters and gauges in a registry of their own (not the
/// process-wide default, so no process or runtime metrics appear and tests can run several
/// agents in one process). Nothing polls: each scrape takes one <see cref="IAgentStatus.Snapshot"/>
/// (the kernel's per-CPU counters, map occupancy, reload and event statistics) in the registry's
/// before-collect callback and sets every series from it, so a packet counter and its byte
/// counter, or a map's entries and its capacity, always come from the same moment.
/// </summary>
/// <remarks>
/// Names follow Prometheus conventions: a unit suffix where there is a unit, <c>_total</c> on
/// counters. Families are registered in name order, which is the order they are written in.
/// Kernel totals are counters raised to the value read (<see cref="Counter.IncTo"/>); values are
/// doubles, exact up to 2^53.
/// </remarks>
public sealed class MicrosegMetrics : IDisposable
{
    /// <summary>The content type of the Prometheus text format 0.0.4 that <see cref="WriteAsync"/> writes.</summary>
    public const string ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;

    // Where snapshots come from.
    private readonly IAgentStatus _status;

    // Serializes scrapes: prometheus-net runs the before-collect callback per collection, and two
    // at once would write one snapshot's values while the other's are being serialized.
    private readonly SemaphoreSlim _scrapeGate = new(1, 1);

    // Why the snapshot of the scrape in progress failed, or null; under _scrapeGate.
    private Exception? _snapshotFailure;

    private readonly SnapshotSeries _buildInfo;
    private readonly SnapshotSeries _bytes;
    private readonly SnapshotSeries _conntrackEntries;
    private readonly SnapshotSeries _denialsSummarised;
    private readonly SnapshotSeries _eventsDelivered;
    private readonly SnapshotSeries _eventsLost;
    private readonly SnapshotSeries _flowAttribution;
    private readonly SnapshotSeries _mapCapacity;
    private readonly SnapshotSeries _mapEntries;
    private readonly SnapshotSeries _packets;
    private readonly SnapshotSeries _policyGeneration;
    private readonly SnapshotSeries _policyLastSuccess;
    private readonly SnapshotSeries _policyReloads;
    private readonly SnapshotSeries _ruleHitsBytes;
    private readonly SnapshotSeries _ruleHitsPackets;

    public MicrosegMetrics(IAgentStatus status)
    {
        _status = status;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        MetricFactory factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        _buildInfo = new(factory.CreateGauge(
            "microseg_build_info", "Always 1; the labels say which microsegd is running.", "version", "runtime"));
        _bytes = new(factory.CreateCounter(
            "microseg_bytes_total", "Bytes of the packets judged by the datapath, by interface, direction, verdict and reason.",
            "interface", "direction", "verdict", "reason"));
        _conntrackEntries = new(factory.CreateGauge(
            "microseg_conntrack_entries", "Entries in the connection tracking map."));
        _denialsSummarised = new(factory.CreateCounter(
            "microseg_denials_summarised_total",
            "Denials recorded from the kernel's deny summaries rather than one event each, by verdict: deny or would_deny.", "verdict"));
        _eventsDelivered = new(factory.CreateCounter(
            "microseg_events_delivered_total", "Flow events read from the ring buffer by the daemon."));
        _eventsLost = new(factory.CreateCounter(
            "microseg_events_lost_total",
            "Flow events the kernel did not deliver: rate_limited (the per-source rate limit), budget (the global deny event budget) or ring_full; each such denial is in a deny summary.",
            "reason"));
        _flowAttribution = new(factory.CreateCounter(
            "microseg_flow_attribution_total",
            "New flows by how their local unit was named: resolved (from the kernel's socket table), cached (a listener's unit), unresolved (no socket found) or dropped (the resolver's queue was full).",
            "outcome"));
        _mapCapacity = new(factory.CreateGauge(
            "microseg_map_capacity_entries", "Capacity of each BPF map in entries (both slots, for the policy maps).", "map"));
        _mapEntries = new(factory.CreateGauge(
            "microseg_map_entries", "Entries in each BPF map (both slots, for the policy maps).", "map"));
        _packets = new(factory.CreateCounter(
            "microseg_packets_total", "Packets judged by the datapath, by interface, direction, verdict and reason.",
            "interface", "direction", "verdict", "reason"));
        _policyGeneration = new(factory.CreateGauge(
            "microseg_policy_generation", "Generation of the policy in the datapath; it grows by one with each applied policy."));
        _policyLastSuccess = new(factory.CreateGauge(
            "microseg_policy_last_success_timestamp_seconds", "Unix time of the last policy load or reload that was applied; 0 if none has been."));
        _policyReloads = new(factory.CreateCounter(
            "microseg_policy_reloads_total", "Policy reloads by result: succeeded (applied) or failed (refused; the running policy stayed).", "result"));
        _ruleHitsBytes = new(factory.CreateCounter(
            "microseg_rule_hits_bytes_total", "Bytes of the packets decided by each policy rule.", "rule", "kind"));
        _ruleHitsPackets = new(factory.CreateCounter(
            "microseg_rule_hits_packets_total", "Packets decided by each policy rule.", "rule", "kind"));

        Registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>The registry every family belongs to.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Takes a snapshot and writes every family in the text format 0.0.4 to <paramref name="destination"/>.
    /// Scrapes are serialized: a second caller waits for the first to finish. Throws what the
    /// snapshot threw, before anything is written.
    /// </summary>
    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        await _scrapeGate.WaitAsync(cancellationToken);
        try
        {
            // prometheus-net reports a failing callback to Trace and goes on with the old values:
            // the text is kept back until the snapshot is known to have been taken.
            using var text = new MemoryStream();
            _snapshotFailure = null;
            await Registry.CollectAndExportAsTextAsync(text, ExpositionFormat.PrometheusText, cancellationToken);
            if (_snapshotFailure is { } failure)
                throw new ScrapeFailedException($"The status snapshot failed: {failure.Message}", failure);
            text.Position = 0;
            await text.CopyToAsync(destination, cancellationToken);
        }
        finally
        {
            _scrapeGate.Release();
        }
    }

    public void Dispose() => _scrapeGate.Dispose();

    private void Refresh()
    {
        AgentStatusSnapshot snapshot;
        try
        {
            snapshot = _status.Snapshot();
        }
        catch (Exception e)
        {
            _snapshotFailure = e;
            return;
        }

        foreach (VerdictCount v in snapshot.Verdicts)
        {
            _packets.Set(v.Packets, v.Interface, v.Direction, v.Verdict, v.Reason);
            _bytes.Set(v.Bytes, v.Interface, v.Direction, v.Verdict, v.Reason);
        }

        foreach (RuleHits r in snapshot.Rules)
        {
            _ruleHitsPackets.Set(r.Packets, r.Rule, r.Kind);
            _ruleHitsBytes.Set(r.Bytes, r.Rule, r.Kind);
        }

        foreach (MapOccupancy m in snapshot.Maps)
        {
            _mapEntries.Set(m.Entries, m.Map);
            _mapCapacity.Set(m.Capacity, m.Map);
        }

        _conntrackEntries.Set(snapshot.ConntrackEntries);

        // Fixed label values in alphabetical order: a series is written in the order it was first set.
        EventStats events = snapshot.Events;
        _eventsDelivered.Set(events.Delivered);
        _eventsLost.Set(events.LostBudget, "budget");
        _eventsLost.Set(events.LostRateLimited, "rate_limited");
        _eventsLost.Set(events.LostRingFull, "ring_full");
        _denialsSummarised.Set(events.SummarisedDenials, "deny");
        _denialsSummarised.Set(events.SummarisedWouldDenials, "would_deny");

        if (snapshot.Attribution is { } a)
        {
            _flowAttribution.Set(a.Cached, "cached");
            _flowAttribution.Set(a.Dropped, "dropped");
            _flowAttribution.Set(a.Resolved, "resolved");
            _flowAttribution.Set(a.Unresolved, "unresolved");
        }

        ReloadStats reloads = snapshot.Reloads;
        _policyReloads.Set(reloads.Failed, "failed");
        _policyReloads.Set(reloads.Succeeded, "succeeded");
        _policyLastSuccess.Set(reloads.LastSuccess is { } at ? at.ToUnixTimeMilliseconds() / 1000.0 : 0);
        _policyGeneration.Set(snapshot.PolicyGeneration);
        _buildInfo.Set(1, snapshot.Version, Environment.Version.ToString());

        foreach (SnapshotSeries family in (ReadOnlySpan<SnapshotSeries>)
                 [_buildInfo, _bytes, _conntrackEntries, _denialsSummarised, _eventsDelivered, _eventsLost, _flowAttribution,
                  _mapCapacity, _mapEntries, _packets, _policyGeneration, _policyLastSuccess, _policyReloads, _ruleHitsBytes, _ruleHitsPackets])
            family.Prune();
    }
}
