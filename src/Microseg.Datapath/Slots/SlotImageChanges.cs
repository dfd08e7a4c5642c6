using Microseg.Datapath.Abi;

namespace Microseg.Datapath.Slots;

/// <summary>
/// The keys, map by map, under which one image may differ from the image it was derived from:
/// every key whose entry was added, removed or changed is listed (listing more is allowed, and
/// costs only a comparison). Lets <see cref="SlotWriter"/> and a diff look at these keys alone
/// instead of comparing whole images.
/// </summary>
public sealed class SlotImageChanges
{
    /// <summary>ms_local_endpoints addresses.</summary>
    public HashSet<IpAddress16> Endpoints { get; } = [];

    /// <summary>ms_remote_hosts addresses.</summary>
    public HashSet<IpAddress16> RemoteHosts { get; } = [];

    /// <summary>ms_remote_prefixes prefixes.</summary>
    public HashSet<RemotePrefix> RemotePrefixes { get; } = [];

    /// <summary>ms_policy keys.</summary>
    public HashSet<PolicyKey> Policies { get; } = [];

    /// <summary>ms_policy_ports keys.</summary>
    public HashSet<PolicyPortKey> Ports { get; } = [];

    /// <summary>ms_policy_ranges keys.</summary>
    public HashSet<PolicyKey> Ranges { get; } = [];

    /// <summary>The keys of this and <paramref name="other"/> together, as a new set.</summary>
    public SlotImageChanges Union(SlotImageChanges other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var union = new SlotImageChanges();
        foreach (var changes in new[] { this, other })
        {
            union.Endpoints.UnionWith(changes.Endpoints);
            union.RemoteHosts.UnionWith(changes.RemoteHosts);
            union.RemotePrefixes.UnionWith(changes.RemotePrefixes);
            union.Policies.UnionWith(changes.Policies);
            union.Ports.UnionWith(changes.Ports);
            union.Ranges.UnionWith(changes.Ranges);
        }
        return union;
    }

    /// <summary>
    /// The policy keys whose lookup hints may differ: those listed, and those whose exact ports
    /// or ranges are listed (their hints summarise them).
    /// </summary>
    public HashSet<PolicyKey> HintKeys()
    {
        var keys = new HashSet<PolicyKey>(Policies);
        foreach (var port in Ports)
            keys.Add(port.Policy);
        keys.UnionWith(Ranges);
        return keys;
    }
}
