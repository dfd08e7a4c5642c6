using Microseg.Agent.Attribution;
using Microseg.Agent.Events;
using Microseg.Datapath.Abi;
using Microseg.Flows.Discovery;
using Microseg.Flows.Monitor;
using Microseg.Flows.Records;
using Microseg.Policy.Compilation;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Flows;

/// <summary>
/// What the daemon keeps of flow events: each one decoded (<see cref="FlowEventDecoder"/>, names
/// from the live compiled policy), added to the discovery graph and to a ring of recent records,
/// and appended to the flow log. One writer (the event thread, <see cref="Add"/>); the control
/// API's readers copy what they need under the same lock, which the writer holds for the graph
/// and ring updates only (no I/O), so a reader never stalls the drain for long.
/// </summary>
/// <remarks>
/// With a <see cref="FlowAttributor"/>, a new flow whose local unit is not cached is added to the
/// graph and the ring at once, unnamed, and queued; the attributor's thread names it a little
/// later (<see cref="AddNamed"/>: the unit joins the edge, the node and the ring's copy) and only
/// then is its flow-log line written, with the unit. Flow-log lines may so come out of time order
/// by the few milliseconds naming takes; the graph's counts never wait for it.
/// </remarks>
public sealed class FlowStore
{
    /// <summary>Recent records kept for the API: ~2 MB of structs, minutes of a busy host's new flows.</summary>
    public const int DefaultRecentCapacity = 10_000;

    /// <summary>The graph's file name in the state directory.</summary>
    public const string GraphFileName = "discovery.json";

    private readonly FlowEventDecoder _decoder = new();
    private readonly Func<CompiledPolicy?> _livePolicy;
    private readonly FlowLogWriter? _flowLog;
    private readonly FlowAttributor? _attributor;
    private readonly ILogger _logger;

    // Guards _flowLog: the event thread and the attributor's thread both write lines.
    private readonly Lock _logLock = new();

    // Guards _graph and _recent: written by the event thread, read by API requests and saves.
    private readonly Lock _lock = new();
    private readonly DiscoveryGraph _graph;
    private readonly RecentFlows _recent;

    // Guards replacing _names/_namesFor (re-entrant: Names() may take it inside itself).
    private readonly Lock _namesLock = new();

    // The policy _names was made from; compared by reference per event (a reload makes a new one).
    private CompiledPolicy? _namesFor;
    private IIdentityNames _names = IdentityNames.Empty;

    // Bumped per graph change, so a save with nothing new is skipped.
    private long _changes;
    private long _savedChanges;

    /// <summary>
    /// A store saving its graph at <paramref name="graphPath"/> (null: memory only), naming events by
    /// <paramref name="livePolicy"/>, logging them to <paramref name="flowLog"/> (null: no log), and
    /// naming new flows' local units with <paramref name="attributor"/> (started here; null: unnamed).
    /// </summary>
    public FlowStore(string? graphPath, Func<CompiledPolicy?> livePolicy, FlowLogWriter? flowLog, ILogger logger,
        int recentCapacity = DefaultRecentCapacity, FlowAttributor? attributor = null)
    {
        GraphPath = graphPath;
        _livePolicy = livePolicy;
        _flowLog = flowLog;
        _logger = logger;
        _recent = new RecentFlows(recentCapacity);
        _graph = graphPath is null ? new DiscoveryGraph() : LoadGraph(graphPath, logger);
        _attributor = attributor;
        _attributor?.Start(AddNamed, Flush);
    }

    /// <summary>What local-unit attribution did; null without an attributor.</summary>
    public AttributionStats? Attribution => _attributor?.Stats;

    /// <summary>Where the graph is saved; null keeps it in memory only.</summary>
    public string? GraphPath { get; }

    /// <summary>Decodes one kernel event and records it. Event thread only; allocates only for a new edge or node.</summary>
    public void Add(in FlowEvent flowEvent)
    {
        var record = _decoder.Decode(in flowEvent, Names());
        bool toName = false;
        if (_attributor is not null && FlowAttributor.Wants(in record))
        {
            if (_attributor.TryCached(in record, out string? unit))
                record = record with { LocalUnit = unit };
            else
                toName = true;
        }
        long sequence;
        lock (_lock)
        {
            _graph.Add(in record);
            sequence = _recent.Add(in record);
            _changes++;
        }
        if (toName && _attributor!.TryQueue(in record, sequence))
            return; // its flow-log line is written once it is named (AddNamed)
        WriteLog(in record);
    }

    /// <summary>
    /// Records the kernel's summaries of denials without an event, one <see cref="FlowEventKind.DenySummary"/>
    /// record each, stamped <paramref name="time"/> (the end of their interval): graph, recent ring and
    /// flow log. Called by the summary drain, one call at a time.
    /// </summary>
    public void AddSummaries(IReadOnlyList<Datapath.Maps.EventSummary> summaries, DateTimeOffset time)
    {
        if (summaries.Count == 0)
            return;
        IIdentityNames names;
        lock (_namesLock)
            names = Names();
        foreach (var summary in summaries)
        {
            var record = FlowEventDecoder.DecodeSummary(in summary, time, names);
            lock (_lock)
            {
                _graph.Add(in record);
                _recent.Add(in record);
                _changes++;
            }
            WriteLog(in record);
        }
        Flush();
    }

    // The names of the live policy, made again when a reload replaced it. Called by the event
    // thread, and by the summary drain under _namesLock (which the event thread needs only
    // when the policy changed).
    private IIdentityNames Names()
    {
        var live = _livePolicy();
        if (!ReferenceEquals(live, _namesFor))
        {
            lock (_namesLock)
            {
                _names = live is null ? IdentityNames.Empty : IdentityNames.From(live);
                _namesFor = live;
            }
        }
        return _names;
    }

    /// <summary>
    /// A flow <see cref="Add"/> queued, back from the attributor's thread with its local unit (or
    /// none): the unit joins the graph and the ring's copy, and the flow-log line is written.
    /// </summary>
    internal void AddNamed(FlowRecord record, long sequence)
    {
        if (record.LocalUnit is not null)
        {
            lock (_lock)
            {
                _graph.AddLocalUnit(in record);
                _recent.SetLocalUnit(sequence, record.LocalUnit);
                _changes++;
            }
        }
        WriteLog(in record);
    }

    private void WriteLog(in FlowRecord record)
    {
        if (_flowLog is null)
            return;
        lock (_logLock)
            _flowLog.Write(in record);
    }

    /// <summary>After a batch of events: the flow log reaches the file.</summary>
    public void Flush()
    {
        if (_flowLog is null)
            return;
        lock (_logLock)
            _flowLog.Flush();
    }

    /// <summary>Names what is still queued and stops the attributor's thread (after the event thread has stopped).</summary>
    public void StopAttribution() => _attributor?.Stop(TimeSpan.FromSeconds(2));

    /// <summary>The graph file's JSON (docs/flows.md), as it is now.</summary>
    public string GraphJson()
    {
        lock (_lock)
            return DiscoveryExport.Json(_graph);
    }

    /// <summary>The newest <paramref name="limit"/> records, oldest first.</summary>
    public FlowRecord[] Recent(int limit)
    {
        lock (_lock)
            return _recent.Newest(limit);
    }

    /// <summary>The monitor report of the recent records.</summary>
    public MonitorReport Monitor() => MonitorReport.Of(Recent(int.MaxValue));

    /// <summary>Writes the graph atomically when it changed since the last save; false when there is nowhere to save or it failed (logged).</summary>
    public bool Save()
    {
        if (GraphPath is null)
            return false;
        string json;
        long changes;
        lock (_lock)
        {
            changes = _changes;
            if (changes == _savedChanges && File.Exists(GraphPath))
                return true;
            json = DiscoveryExport.Json(_graph);
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(GraphPath))!);
            AtomicFile.Write(GraphPath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(json)));
            _savedChanges = changes;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogError("Could not save the discovery graph to {Path}: {Error}", GraphPath, e.Message);
            return false;
        }
    }

    /// <summary>The saved graph, or an empty one; a file that cannot be read is renamed aside (never fatal).</summary>
    private static DiscoveryGraph LoadGraph(string path, ILogger logger)
    {
        if (!File.Exists(path))
            return new DiscoveryGraph();
        try
        {
            var graph = DiscoveryGraph.Load(path);
            logger.LogInformation("Loaded the discovery graph from {Path}: {Edges} edges.", path, graph.EdgeCount);
            return graph;
        }
        catch (FlowDataException e)
        {
            var aside = $"{path}.corrupt-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}";
            try
            {
                File.Move(path, aside, overwrite: true);
                logger.LogWarning("Starting with an empty discovery graph: {Error}; the file is kept as {Aside}.", e.Message, aside);
            }
            catch (Exception move) when (move is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Starting with an empty discovery graph: {Error}; it could not be set aside: {MoveError}.", e.Message, move.Message);
            }
            return new DiscoveryGraph();
        }
    }
}
