using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;

namespace Microseg.Datapath.Slots;

/// <summary>
/// One complete policy as map entries, independent of the slot it will be written to: the
/// policy compiler's output and the slot writer's input. Keys carry slot 0 here; the writer
/// stamps the real slot.
/// </summary>
public sealed class SlotImage
{
    /// <summary>Identity, mode and flags of local addresses not listed in <see cref="Endpoints"/>.</summary>
    public EndpointValue DefaultEndpoint { get; set; } =
        new() { Identity = AbiConstants.IdentityHost, Mode = EndpointMode.Off };

    /// <summary>Mode for packets whose addresses cannot be read; normally the strictest in use.</summary>
    public EndpointMode UnattributedMode { get; set; } = EndpointMode.Off;

    public Dictionary<IpAddress16, EndpointValue> Endpoints { get; } = [];

    /// <summary>
    /// By interface slot (ms_interface_slots): the endpoint that judges a local address no
    /// endpoint lists on that interface (link-local, secondary addresses). Not the compiler's:
    /// whoever knows the interfaces' addresses fills it. An interface absent here has no owner.
    /// </summary>
    public Dictionary<uint, EndpointValue> InterfaceEndpoints { get; } = [];
    public Dictionary<IpAddress16, uint> RemoteHosts { get; } = [];
    public Dictionary<RemotePrefix, uint> RemotePrefixes { get; } = [];
    public Dictionary<PolicyKey, PolicyValue> Policies { get; } = [];
    public Dictionary<PolicyPortKey, RuleAction> Ports { get; } = [];
    public Dictionary<PolicyKey, PolicyRanges> Ranges { get; } = [];

    /// <summary>The slot configuration this image asks for, with the given generation.</summary>
    public SlotConfig ToSlotConfig(uint generation) => new()
    {
        Generation = generation,
        DefaultIdentity = DefaultEndpoint.Identity,
        DefaultMode = DefaultEndpoint.Mode,
        DefaultFlags = DefaultEndpoint.Flags,
        UnattributedMode = UnattributedMode,
        Flags = RemotePrefixes.Count > 0 ? SlotFlags.RemotePrefixes : SlotFlags.None,
    };

    /// <summary>
    /// Sets each policy key's flags and lookup hints from the exact ports and ranges filed
    /// under it. The kernel trusts them to skip probes (a clear filter bit means "no exact
    /// port here"), so they are derived from the entries here, never written by hand. Keys
    /// that only have ports or ranges get a policy entry; the any-port part is kept as is.
    /// </summary>
    public void DeriveLookupHints()
    {
        var derived = new Dictionary<PolicyKey, PolicyValue>();
        foreach (var (key, value) in Policies)
            derived[key] = value with
            {
                Flags = value.Flags & PolicyFlags.AnyPort,
                ExactPortFilter = 0,
                RangeFirstPort = 0,
                RangeLastPort = 0,
            };
        foreach (var portKey in Ports.Keys)
        {
            var value = derived.GetValueOrDefault(portKey.Policy);
            derived[portKey.Policy] = value with
            {
                Flags = value.Flags | PolicyFlags.ExactPorts,
                ExactPortFilter = (ushort)(value.ExactPortFilter | (1 << (portKey.Port & 15))),
            };
        }
        foreach (var (key, ranges) in Ranges)
        {
            if (ranges.Count == 0)
                continue;
            ReadOnlySpan<PortRange> used = ranges.Ranges[..(int)ranges.Count];
            var value = derived.GetValueOrDefault(key);
            derived[key] = value with
            {
                Flags = value.Flags | PolicyFlags.PortRanges,
                RangeFirstPort = used[0].FirstPort,
                RangeLastPort = MaxLast(used),
            };
        }
        Policies.Clear();
        foreach (var (key, value) in derived)
            Policies[key] = value;

        static ushort MaxLast(ReadOnlySpan<PortRange> ranges)
        {
            ushort last = 0;
            foreach (var r in ranges)
                last = Math.Max(last, r.LastPort);
            return last;
        }
    }

    /// <summary>
    /// Like <see cref="DeriveLookupHints()"/> for <paramref name="keys"/> only: for an image whose
    /// other keys' hints are already derived (a copy of a derived image changed under these
    /// keys). A listed key with ports or ranges but no policy entry gets one, as with the whole
    /// derivation.
    /// </summary>
    public void DeriveLookupHints(IReadOnlySet<PolicyKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
            return;
        var derived = new Dictionary<PolicyKey, PolicyValue>(keys.Count);
        foreach (var key in keys)
        {
            if (Policies.TryGetValue(key, out var value))
                derived[key] = value with { Flags = value.Flags & PolicyFlags.AnyPort, ExactPortFilter = 0, RangeFirstPort = 0, RangeLastPort = 0 };
        }
        foreach (var portKey in Ports.Keys)
        {
            if (!keys.Contains(portKey.Policy))
                continue;
            var value = derived.GetValueOrDefault(portKey.Policy);
            derived[portKey.Policy] = value with
            {
                Flags = value.Flags | PolicyFlags.ExactPorts,
                ExactPortFilter = (ushort)(value.ExactPortFilter | (1 << (portKey.Port & 15))),
            };
        }
        foreach (var key in keys)
        {
            if (!Ranges.TryGetValue(key, out var ranges) || ranges.Count == 0)
                continue;
            ReadOnlySpan<PortRange> used = ranges.Ranges[..(int)ranges.Count];
            var value = derived.GetValueOrDefault(key);
            ushort last = 0;
            foreach (var r in used)
                last = Math.Max(last, r.LastPort);
            derived[key] = value with { Flags = value.Flags | PolicyFlags.PortRanges, RangeFirstPort = used[0].FirstPort, RangeLastPort = last };
        }
        foreach (var key in keys)
        {
            if (derived.TryGetValue(key, out var value))
                Policies[key] = value;
            else
                Policies.Remove(key);
        }
    }

    /// <summary>A copy of this image; the copy's dictionaries are its own.</summary>
    public SlotImage Clone()
    {
        var copy = new SlotImage { DefaultEndpoint = DefaultEndpoint, UnattributedMode = UnattributedMode };
        CopyInto(Endpoints, copy.Endpoints);
        CopyInto(InterfaceEndpoints, copy.InterfaceEndpoints);
        CopyInto(RemoteHosts, copy.RemoteHosts);
        CopyInto(RemotePrefixes, copy.RemotePrefixes);
        CopyInto(Policies, copy.Policies);
        CopyInto(Ports, copy.Ports);
        CopyInto(Ranges, copy.Ranges);
        return copy;

        static void CopyInto<TKey, TValue>(Dictionary<TKey, TValue> from, Dictionary<TKey, TValue> to) where TKey : notnull
        {
            to.EnsureCapacity(from.Count);
            foreach (var (key, value) in from)
                to[key] = value;
        }
    }

    /// <summary>
    /// Every way this image exceeds the maps, as sentences; empty when it fits. Checked before
    /// anything is written, so an oversized policy never half-replaces the live one.
    /// </summary>
    public List<string> CapacityProblems(DatapathCapacities capacities)
    {
        var problems = new List<string>();
        Check(Endpoints.Count, capacities.EndpointsPerSlot, "local endpoints");
        Check(RemoteHosts.Count, capacities.RemoteHostsPerSlot, "remote host addresses");
        Check(RemotePrefixes.Count, capacities.RemotePrefixesPerSlot, "remote prefixes");
        Check(Policies.Count, capacities.PolicyKeysPerSlot, "policy keys");
        Check(Ports.Count, capacities.PolicyPortsPerSlot, "exact-port policy entries");
        Check(Ranges.Count, capacities.PolicyRangeKeysPerSlot, "port-range policy entries");
        foreach (var interfaceSlot in InterfaceEndpoints.Keys)
        {
            if (interfaceSlot == 0 || interfaceSlot >= AbiConstants.MaxInterfaceSlots)
                problems.Add($"interface slot {interfaceSlot} is outside 1..{AbiConstants.MaxInterfaceSlots - 1}");
        }
        var highestRule = MaxRuleId();
        if (highestRule >= capacities.Rules)
            problems.Add($"rule id {highestRule} exceeds the rule counter capacity of {capacities.Rules - 1}");
        return problems;

        void Check(int count, uint capacity, string what)
        {
            if (count > capacity)
                problems.Add($"{count} {what} exceed the capacity of {capacity}");
        }
    }

    private uint MaxRuleId()
    {
        uint max = 0;
        foreach (var v in Policies.Values)
            max = Math.Max(max, v.AnyPortRuleId);
        foreach (var v in Ports.Values)
            max = Math.Max(max, v.RuleId);
        foreach (var v in Ranges.Values)
        {
            ReadOnlySpan<PortRange> ranges = v.Ranges;
            for (var i = 0; i < v.Count; i++)
                max = Math.Max(max, ranges[i].RuleId);
        }
        return max;
    }
}
