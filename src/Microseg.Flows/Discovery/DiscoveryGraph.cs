using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;

namespace Microseg.Flows.Discovery;

/// <summary>
/// The application dependency map: flow records aggregated into identity nodes and edges keyed
/// by <see cref="EdgeKey"/>, with counts, first and last seen and the mix of verdicts. Bounded:
/// past <see cref="DiscoveryOptions.MaxEdges"/> the least recently seen edge is evicted and
/// counted in <see cref="EvictedEdges"/>. Adding a flow to an existing edge allocates nothing.
/// Not thread-safe: one consumer adds (the daemon's discovery service), readers take a snapshot
/// under the caller's lock or after adding stops.
/// </summary>
public sealed class DiscoveryGraph
{
    private readonly Dictionary<EdgeKey, DiscoveryEdge> _edges = [];
    private readonly Dictionary<string, DiscoveryNode> _nodes = new(StringComparer.Ordinal);

    // Least recently seen first: the eviction order, and the order a saved graph is written in.
    private readonly LinkedList<DiscoveryEdge> _recency = new();

    // World group names by masked address, so a busy group's name is made once (bounded like the edges).
    private readonly Dictionary<IpAddress16, string> _worldGroupNames = [];

    public DiscoveryGraph(DiscoveryOptions? options = null)
    {
        Options = options ?? new DiscoveryOptions();
        Options.Validate();
    }

    public DiscoveryOptions Options { get; }

    /// <summary>Edges evicted to stay within bounds since the graph was first created (kept across save and load).</summary>
    public ulong EvictedEdges { get; internal set; }

    /// <summary>Records added that were not a policy-judged flow (flow ends of unknown edges, unjudged packets).</summary>
    public ulong IgnoredRecords { get; private set; }

    /// <summary>Edges, least recently seen first.</summary>
    public IEnumerable<DiscoveryEdge> Edges => _recency;

    public int EdgeCount => _edges.Count;

    /// <summary>Nodes, by name.</summary>
    public IEnumerable<DiscoveryNode> Nodes => _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal);

    public DiscoveryNode? Node(string name) => _nodes.GetValueOrDefault(name);

    public DiscoveryEdge? Edge(EdgeKey key) => _edges.GetValueOrDefault(key);

    /// <summary>A graph of <paramref name="records"/>.</summary>
    public static DiscoveryGraph Of(IEnumerable<FlowRecord> records, DiscoveryOptions? options = null)
    {
        var graph = new DiscoveryGraph(options);
        foreach (FlowRecord record in records)
        {
            graph.Add(record);
        }

        return graph;
    }

    /// <summary>
    /// Counts one record. First packets judged by the policy (<see cref="FlowRecord.IsJudgedFlow"/>)
    /// count as flows; a flow end adds its packets and bytes to its edge when the edge exists;
    /// anything else is ignored (and counted in <see cref="IgnoredRecords"/>).
    /// </summary>
    public void Add(in FlowRecord record)
    {
        string peer = PeerName(record);
        var key = new EdgeKey(record.LocalIdentity, peer, record.Direction, record.Protocol, record.PolicyPort);
        if (record.Kind == FlowEventKind.FlowEnd)
        {
            if (_edges.TryGetValue(key, out DiscoveryEdge? ended))
            {
                ended.Packets += record.Packets;
                ended.Bytes += record.Bytes;
                Touch(ended);
            }
            else
            {
                IgnoredRecords++;
            }

            return;
        }

        if (!record.IsJudgedFlow)
        {
            IgnoredRecords++;
            return;
        }

        if (!_edges.TryGetValue(key, out DiscoveryEdge? edge))
        {
            if (_edges.Count >= Options.MaxEdges)
            {
                Evict(_recency.First!.Value);
            }

            edge = AddEdge(key);
        }

        edge.Count(record, Options.MaxSamplesPerEdge);
        Touch(edge);
        Remember(_nodes[key.Local]._local, record.LocalAddress);
        if (record.Kind != FlowEventKind.DenySummary)
        {
            Remember(_nodes[key.Peer]._remote, record.RemoteAddress);
        }
        if (record.LocalUnit is { } unit)
        {
            RememberUnit(edge, _nodes[key.Local], unit);
        }
    }

    /// <summary>
    /// Names the local unit of a flow already added (the daemon adds a flow at once and learns its
    /// unit a little later): the unit joins its edge's and local node's. Counts nothing; does
    /// nothing for a flow end, a flow without a unit, or an edge evicted since.
    /// </summary>
    public void AddLocalUnit(in FlowRecord record)
    {
        if (record.LocalUnit is not { } unit || record.Kind == FlowEventKind.FlowEnd || !record.IsJudgedFlow)
        {
            return;
        }

        var key = new EdgeKey(record.LocalIdentity, PeerName(record), record.Direction, record.Protocol, record.PolicyPort);
        if (_edges.TryGetValue(key, out DiscoveryEdge? edge))
        {
            RememberUnit(edge, _nodes[key.Local], unit);
        }
    }

    internal void RememberUnit(DiscoveryEdge edge, DiscoveryNode local, string unit)
    {
        if (edge._localUnits.Count < Options.MaxLocalUnitsPerEdge && !edge._localUnits.Contains(unit))
        {
            edge._localUnits.Add(unit);
        }

        RememberUnit(local, unit);
    }

    internal void RememberUnit(DiscoveryNode node, string unit)
    {
        if (node._localUnits.Count < Options.MaxLocalUnitsPerNode && !node._localUnits.Contains(unit))
        {
            node._localUnits.Add(unit);
        }
    }

    internal DiscoveryEdge AddEdge(EdgeKey key)
    {
        var edge = new DiscoveryEdge(key);
        _edges.Add(key, edge);
        edge.Recency = _recency.AddLast(edge);
        NodeFor(key.Local).EdgeCount++;
        NodeFor(key.Peer).EdgeCount++;
        return edge;
    }

    internal DiscoveryNode NodeFor(string name)
    {
        if (!_nodes.TryGetValue(name, out DiscoveryNode? node))
        {
            string? group = name.StartsWith(WorldGroupPrefix, StringComparison.Ordinal) ? name[WorldGroupPrefix.Length..] : null;
            node = new DiscoveryNode(name, group);
            _nodes.Add(name, node);
        }

        return node;
    }

    internal void Remember(HashSet<IpAddress16> addresses, IpAddress16 address)
    {
        if (addresses.Count < Options.MaxAddressesPerNode)
        {
            addresses.Add(address);
        }
    }

    private void Touch(DiscoveryEdge edge)
    {
        if (edge.Recency!.Next is not null)
        {
            _recency.Remove(edge.Recency);
            _recency.AddLast(edge.Recency);
        }
    }

    private void Evict(DiscoveryEdge edge)
    {
        _edges.Remove(edge.Key);
        _recency.Remove(edge.Recency!);
        EvictedEdges++;
        foreach (string name in (ReadOnlySpan<string>)[edge.Key.Local, edge.Key.Peer])
        {
            DiscoveryNode node = _nodes[name];
            if (--node.EdgeCount == 0)
            {
                _nodes.Remove(name);
            }
        }

        if (_worldGroupNames.Count > Options.MaxEdges)
        {
            _worldGroupNames.Clear();
        }
    }

    /// <summary>The prefix of a world group's node name: <c>world:203.0.113.0/24</c>.</summary>
    public const string WorldGroupPrefix = "world:";

    private string PeerName(in FlowRecord record)
    {
        // A deny summary has no remote address to group the world by.
        if (record.RemoteIdentityId != AbiConstants.IdentityWorld || (Options.WorldPrefixV4 == 0 && Options.WorldPrefixV6 == 0) ||
            record.Kind == FlowEventKind.DenySummary)
        {
            return record.RemoteIdentity;
        }

        bool v4 = record.RemoteAddress.IsIPv4Mapped;
        int prefix = v4 ? Options.WorldPrefixV4 : Options.WorldPrefixV6;
        if (prefix == 0)
        {
            return record.RemoteIdentity;
        }

        IpAddress16 masked = Mask(record.RemoteAddress, v4 ? 96 + prefix : prefix);
        if (!_worldGroupNames.TryGetValue(masked, out string? name))
        {
            name = $"{WorldGroupPrefix}{new IPNetwork(masked.ToIPAddress(), prefix)}";
            _worldGroupNames.Add(masked, name);
        }

        return name;
    }

    private static IpAddress16 Mask(IpAddress16 address, int bits)
    {
        Span<byte> bytes = address.Bytes;
        for (int i = 0; i < 16; i++)
        {
            int keep = Math.Clamp(bits - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff00 >> keep);
        }

        return address;
    }

    /// <summary>Saves the graph as JSON, atomically (docs/flows.md, "Graph file").</summary>
    public void Save(string path) => DiscoveryGraphFile.Save(this, path);

    /// <summary>Loads a saved graph, keeping at most <paramref name="options"/>' bounds (the file's own when null). Throws <see cref="FlowDataException"/>.</summary>
    public static DiscoveryGraph Load(string path, DiscoveryOptions? options = null) => DiscoveryGraphFile.Load(path, options);

    /// <summary>A graph from the graph file's JSON (such as the daemon's answer); <paramref name="source"/> names it in errors. Throws <see cref="FlowDataException"/>.</summary>
    public static DiscoveryGraph Parse(string json, string source, DiscoveryOptions? options = null) =>
        DiscoveryGraphFile.Parse(System.Text.Encoding.UTF8.GetBytes(json), source, options);
}
