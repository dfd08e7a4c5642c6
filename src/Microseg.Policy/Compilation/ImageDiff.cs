using Microseg.Datapath.Abi;
using Microseg.Datapath.Slots;

namespace Microseg.Policy.Compilation;

/// <summary>
/// What changes, map by map, when one image replaces another: the user-visible form of what
/// <see cref="SlotWriter"/> writes (it computes the same differences against the standby slot).
/// </summary>
public sealed class ImageDiff
{
    private ImageDiff(SlotImage before, SlotImage after, SlotImageChanges? only)
    {
        Endpoints = MapDiff<IpAddress16, EndpointValue>.Between(before.Endpoints, after.Endpoints, only?.Endpoints);
        RemoteHosts = MapDiff<IpAddress16, uint>.Between(before.RemoteHosts, after.RemoteHosts, only?.RemoteHosts);
        RemotePrefixes = MapDiff<RemotePrefix, uint>.Between(before.RemotePrefixes, after.RemotePrefixes, only?.RemotePrefixes);
        Policies = MapDiff<PolicyKey, PolicyValue>.Between(before.Policies, after.Policies, only?.Policies);
        Ports = MapDiff<PolicyPortKey, Datapath.Abi.RuleAction>.Between(before.Ports, after.Ports, only?.Ports);
        Ranges = MapDiff<PolicyKey, PolicyRanges>.Between(before.Ranges, after.Ranges, only?.Ranges);
        SlotConfigChanged = !EqualityComparer<SlotConfig>.Default.Equals(before.ToSlotConfig(0), after.ToSlotConfig(0));
    }

    /// <summary>ms_local_endpoints.</summary>
    public MapDiff<IpAddress16, EndpointValue> Endpoints { get; }

    /// <summary>ms_remote_hosts: address to identity.</summary>
    public MapDiff<IpAddress16, uint> RemoteHosts { get; }

    /// <summary>ms_remote_prefixes: prefix to identity.</summary>
    public MapDiff<RemotePrefix, uint> RemotePrefixes { get; }

    /// <summary>ms_policy.</summary>
    public MapDiff<PolicyKey, PolicyValue> Policies { get; }

    /// <summary>ms_policy_ports.</summary>
    public MapDiff<PolicyPortKey, Datapath.Abi.RuleAction> Ports { get; }

    /// <summary>ms_policy_ranges.</summary>
    public MapDiff<PolicyKey, PolicyRanges> Ranges { get; }

    /// <summary>True when the slot configuration (default endpoint, unattributed mode, flags) differs.</summary>
    public bool SlotConfigChanged { get; }

    /// <summary>Entries added, removed or changed over every map.</summary>
    public int Count => Endpoints.Count + RemoteHosts.Count + RemotePrefixes.Count + Policies.Count + Ports.Count + Ranges.Count;

    /// <summary>True when the two images hold the same entries and slot configuration.</summary>
    public bool IsEmpty => Count == 0 && !SlotConfigChanged;

    /// <summary>
    /// The differences from <paramref name="before"/> to <paramref name="after"/>. Both should
    /// have their lookup hints derived (the compiler's images do), or hint-only differences show.
    /// </summary>
    public static ImageDiff Diff(SlotImage before, SlotImage after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new ImageDiff(before, after, null);
    }

    /// <summary>
    /// The differences between two compiled policies' images; when <paramref name="after"/> was
    /// compiled incrementally from <paramref name="before"/>, only the keys it may have changed
    /// are compared (the same result, without walking both images).
    /// </summary>
    public static ImageDiff Diff(CompiledPolicy before, CompiledPolicy after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new ImageDiff(before.Image, after.Image, ReferenceEquals(after.Basis, before) ? after.ChangesFrom : null);
    }

    /// <summary>One line per map that changes: "ms_policy: +3 -1 ~2".</summary>
    public override string ToString()
    {
        var lines = new List<string>();
        Line("ms_local_endpoints", Endpoints.Added.Count, Endpoints.Removed.Count, Endpoints.Changed.Count);
        Line("ms_remote_hosts", RemoteHosts.Added.Count, RemoteHosts.Removed.Count, RemoteHosts.Changed.Count);
        Line("ms_remote_prefixes", RemotePrefixes.Added.Count, RemotePrefixes.Removed.Count, RemotePrefixes.Changed.Count);
        Line("ms_policy", Policies.Added.Count, Policies.Removed.Count, Policies.Changed.Count);
        Line("ms_policy_ports", Ports.Added.Count, Ports.Removed.Count, Ports.Changed.Count);
        Line("ms_policy_ranges", Ranges.Added.Count, Ranges.Removed.Count, Ranges.Changed.Count);
        if (SlotConfigChanged)
        {
            lines.Add("ms_slot_config: changed");
        }

        return lines.Count == 0 ? "no changes" : string.Join("\n", lines);

        void Line(string map, int added, int removed, int changed)
        {
            if (added + removed + changed > 0)
            {
                lines.Add($"{map}: +{added} -{removed} ~{changed}");
            }
        }
    }
}
