using System.Net;
using System.Text.Json;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;

namespace Microseg.Flows.Discovery;

/// <summary>
/// The graph file (docs/flows.md): one JSON object with a format tag and version, the bounds it
/// was built with, the eviction count, nodes with their addresses, and edges least recently seen
/// first (so a loaded graph evicts in the same order).
/// </summary>
internal static class DiscoveryGraphFile
{
    public const string Format = "microseg-discovery";
    public const int Version = 1;

    /// <summary>Largest graph file read (a full 20,000-edge graph is a few MiB).</summary>
    private const long MaxFileBytes = 256L << 20;

    public static void Save(DiscoveryGraph graph, string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            Write(graph, writer);
        });

    public static void Write(DiscoveryGraph graph, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteStartObject("options");
        w.WriteNumber("maxEdges", graph.Options.MaxEdges);
        w.WriteNumber("worldPrefixV4", graph.Options.WorldPrefixV4);
        w.WriteNumber("worldPrefixV6", graph.Options.WorldPrefixV6);
        w.WriteEndObject();
        w.WriteNumber("evictedEdges", graph.EvictedEdges);
        w.WriteStartArray("nodes");
        foreach (DiscoveryNode node in graph.Nodes)
        {
            w.WriteStartObject();
            w.WriteString("name", node.Name);
            WriteAddresses(w, "localAddresses", node.LocalAddresses);
            WriteAddresses(w, "remoteAddresses", node.RemoteAddresses);
            WriteUnits(w, node.LocalUnits);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("edges");
        foreach (DiscoveryEdge edge in graph.Edges)
        {
            w.WriteStartObject();
            w.WriteString("from", edge.Key.From);
            w.WriteString("to", edge.Key.To);
            w.WriteString("local", edge.Key.Local);
            w.WriteString("peer", edge.Key.Peer);
            w.WriteString("direction", edge.Key.Direction.Name());
            w.WriteString("protocol", FlowText.Protocol(edge.Key.Protocol));
            w.WriteNumber("port", edge.Key.Port);
            w.WriteNumber("flows", edge.Flows);
            w.WriteNumber("allowed", edge.Allowed);
            w.WriteNumber("denied", edge.Denied);
            w.WriteNumber("wouldDeny", edge.WouldDeny);
            w.WriteNumber("suppressed", edge.Suppressed);
            w.WriteNumber("packets", edge.Packets);
            w.WriteNumber("bytes", edge.Bytes);
            w.WriteString("firstSeen", edge.FirstSeen.UtcDateTime);
            w.WriteString("lastSeen", edge.LastSeen.UtcDateTime);
            w.WriteStartArray("samples");
            foreach (AddressPair pair in edge.Samples)
            {
                w.WriteStartObject();
                w.WriteString("local", pair.Local.ToString());
                w.WriteString("remote", pair.Remote.ToString());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteUnits(w, edge.LocalUnits);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteUnits(Utf8JsonWriter w, IReadOnlyList<string> units)
    {
        w.WriteStartArray("localUnits");
        foreach (string unit in units)
        {
            w.WriteStringValue(unit);
        }

        w.WriteEndArray();
    }

    // "localUnits" came after version 1's first files: absent means none were named.
    private static IEnumerable<string> ReadUnits(JsonElement e) =>
        e.TryGetProperty("localUnits", out JsonElement units)
            ? units.EnumerateArray().Select(u => u.GetString()).Where(u => !string.IsNullOrEmpty(u)).Select(u => Records.LocalUnitName.Of(u!))
            : [];

    private static void WriteAddresses(Utf8JsonWriter w, string name, IEnumerable<IpAddress16> addresses)
    {
        w.WriteStartArray(name);
        foreach (string address in addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal))
        {
            w.WriteStringValue(address);
        }

        w.WriteEndArray();
    }

    public static DiscoveryGraph Load(string path, DiscoveryOptions? options)
    {
        byte[] bytes;
        try
        {
            if (Directory.Exists(path))
            {
                throw new FlowDataException($"cannot read the graph {path}: it is a directory");
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FlowDataException($"cannot read the graph {path}: no such file");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new FlowDataException($"cannot read the graph {path}: it is larger than {MaxFileBytes >> 20} MiB");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlowDataException($"cannot read the graph {path}: {e.Message.Split('\n')[0].TrimEnd('.')}", e);
        }

        return Parse(bytes, path, options);
    }

    /// <summary>A graph from the file's JSON; <paramref name="source"/> names where it came from in an error.</summary>
    public static DiscoveryGraph Parse(ReadOnlyMemory<byte> json, string source, DiscoveryOptions? options)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return Read(document.RootElement, options);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new FlowDataException($"{source} is not a Microseg discovery graph: {e.Message.Split('\n')[0].TrimEnd('.')}", e);
        }
    }

    private static DiscoveryGraph Read(JsonElement root, DiscoveryOptions? options)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format) || format.GetString() != Format)
        {
            throw new FormatException($"'format' is not \"{Format}\"");
        }

        int version = root.GetProperty("version").GetInt32();
        if (version != Version)
        {
            throw new FormatException($"version {version} is not supported (this microsegctl reads version {Version})");
        }

        JsonElement saved = root.GetProperty("options");
        var graph = new DiscoveryGraph(options ?? new DiscoveryOptions(
            MaxEdges: saved.GetProperty("maxEdges").GetInt32(),
            WorldPrefixV4: saved.GetProperty("worldPrefixV4").GetInt32(),
            WorldPrefixV6: saved.GetProperty("worldPrefixV6").GetInt32()));

        JsonElement[] edges = root.GetProperty("edges").EnumerateArray().ToArray();
        // Keep the most recently seen edges when the file holds more than the bounds allow.
        int skip = Math.Max(0, edges.Length - graph.Options.MaxEdges);
        graph.EvictedEdges = root.GetProperty("evictedEdges").GetUInt64() + (ulong)skip;
        foreach (JsonElement e in edges.Skip(skip))
        {
            if (!FlowText.TryParseDirection(e.GetProperty("direction").GetString()!, out var direction) ||
                !FlowText.TryParseProtocol(e.GetProperty("protocol").GetString()!, out byte protocol))
            {
                throw new FormatException("an edge has a bad direction or protocol");
            }

            var key = new EdgeKey(e.GetProperty("local").GetString()!, e.GetProperty("peer").GetString()!, direction, protocol,
                e.GetProperty("port").GetUInt16());
            DiscoveryEdge edge = graph.AddEdge(key);
            edge.Flows = e.GetProperty("flows").GetUInt64();
            edge.Allowed = e.GetProperty("allowed").GetUInt64();
            edge.Denied = e.GetProperty("denied").GetUInt64();
            edge.WouldDeny = e.GetProperty("wouldDeny").GetUInt64();
            edge.Suppressed = e.GetProperty("suppressed").GetUInt64();
            edge.Packets = e.GetProperty("packets").GetUInt64();
            edge.Bytes = e.GetProperty("bytes").GetUInt64();
            edge.FirstSeen = e.GetProperty("firstSeen").GetDateTimeOffset();
            edge.LastSeen = e.GetProperty("lastSeen").GetDateTimeOffset();
            foreach (JsonElement s in e.GetProperty("samples").EnumerateArray().Take(graph.Options.MaxSamplesPerEdge))
            {
                edge._samples.Add(new AddressPair(Address(s.GetProperty("local")), Address(s.GetProperty("remote"))));
            }

            foreach (string unit in ReadUnits(e))
            {
                graph.RememberUnit(edge, graph.NodeFor(key.Local), unit);
            }
        }

        foreach (JsonElement n in root.GetProperty("nodes").EnumerateArray())
        {
            DiscoveryNode? node = graph.Node(n.GetProperty("name").GetString()!);
            if (node is null)
            {
                continue; // its edges were left out to stay within bounds
            }

            foreach (JsonElement a in n.GetProperty("localAddresses").EnumerateArray())
            {
                graph.Remember(node._local, Address(a));
            }

            foreach (JsonElement a in n.GetProperty("remoteAddresses").EnumerateArray())
            {
                graph.Remember(node._remote, Address(a));
            }

            foreach (string unit in ReadUnits(n))
            {
                graph.RememberUnit(node, unit);
            }
        }

        return graph;
    }

    private static IpAddress16 Address(JsonElement e) => IpAddress16.From(IPAddress.Parse(e.GetString()!));
}
