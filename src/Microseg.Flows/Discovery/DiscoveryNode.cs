using Microseg.Datapath.Abi;

namespace Microseg.Flows.Discovery;

/// <summary>A node of the dependency map: an identity, or a group of world addresses.</summary>
public sealed class DiscoveryNode
{
    internal DiscoveryNode(string name, string? worldGroup)
    {
        Name = name;
        WorldGroup = worldGroup;
    }

    /// <summary>The identity's name, or <c>world:PREFIX</c> for a group of world addresses.</summary>
    public string Name { get; }

    /// <summary>For a world group, its prefix (<c>203.0.113.0/24</c>); otherwise null.</summary>
    public string? WorldGroup { get; }

    /// <summary>Addresses seen as this identity's endpoint on this host (bounded).</summary>
    public IReadOnlyCollection<IpAddress16> LocalAddresses => _local;

    /// <summary>Addresses seen as a peer carrying this identity (bounded).</summary>
    public IReadOnlyCollection<IpAddress16> RemoteAddresses => _remote;

    /// <summary>
    /// The local units seen serving or opening this identity's flows on this host (bounded), first
    /// named first: the union of its edges' <see cref="DiscoveryEdge.LocalUnits"/> where it is the local side.
    /// </summary>
    public IReadOnlyList<string> LocalUnits => _localUnits;

    internal readonly List<string> _localUnits = [];

    internal readonly HashSet<IpAddress16> _local = [];
    internal readonly HashSet<IpAddress16> _remote = [];

    /// <summary>Edges that name this node; the node leaves the graph with its last edge.</summary>
    internal int EdgeCount;
}
