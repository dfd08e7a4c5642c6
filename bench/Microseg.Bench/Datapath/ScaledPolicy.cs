using System.Buffers.Binary;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;

namespace Microseg.Bench.Datapath;

/// <summary>
/// The fixture world's standard policy with <c>entries</c> more identities and rules around
/// it, so the maps the measured packets probe really hold that many entries: identity i has
/// its own host address in ms_remote_hosts, its own policy key (web, ingress, i, tcp) in
/// ms_policy, and one exact-port allow in ms_policy_ports; every 16th identity also has a
/// key in ms_policy_ranges with four port ranges. The measured packets are the fixture rows'
/// (api → web), whose entries sit among these.
/// </summary>
internal static class ScaledPolicy
{
    /// <summary>First synthetic identity: clear of the reserved ones and the fixture world's.</summary>
    public const uint FirstIdentity = 1000;
    /// <summary>First synthetic rule id: clear of the standard policy's (1 to 20).</summary>
    public const uint FirstRule = 100;
    /// <summary>Synthetic host i is 10.128.0.0 + i: outside every fixture address and prefix.</summary>
    private const uint FirstHost = 0x0A80_0000;
    /// <summary>One identity in this many also gets port ranges.</summary>
    public const int RangeEvery = 16;
    private static readonly (ushort First, ushort Last)[] s_ranges =
        [(10000, 10099), (20000, 20099), (30000, 30099), (40000, 40099)];

    /// <summary>The standard policy plus <paramref name="entries"/> identities and rules.</summary>
    public static SlotImage Build(int entries)
    {
        var image = StandardPolicy.Seed().Build();
        image.RemoteHosts.EnsureCapacity(image.RemoteHosts.Count + entries);
        image.Policies.EnsureCapacity(image.Policies.Count + entries);
        image.Ports.EnsureCapacity(image.Ports.Count + entries);
        for (var i = 0; i < entries; i++)
        {
            var identity = FirstIdentity + (uint)i;
            var rule = FirstRule + (uint)i;
            image.RemoteHosts[HostAddress(i)] = identity;
            var key = new PolicyKey
            {
                LocalIdentity = FixtureWorld.Web, RemoteIdentity = identity,
                Direction = Direction.Ingress, Protocol = FixtureWorld.Tcp,
            };
            var flags = PolicyFlags.ExactPorts;
            image.Ports[new PolicyPortKey { Policy = key, Port = (ushort)(2000 + i % 50000) }] =
                new RuleAction { RuleId = rule, Action = RuleActionKind.Allow };
            if (i % RangeEvery == 0)
            {
                image.Ranges[key] = Ranges(rule);
                flags |= PolicyFlags.PortRanges;
            }
            // Specific keys only (no ANY remote or protocol): the endpoint's wildcard flags,
            // derived from the standard policy's keys, stay right.
            image.Policies[key] = new PolicyValue { Flags = flags };
        }
        return image;
    }

    /// <summary>The default capacities, raised where <paramref name="entries"/> needs more.</summary>
    public static DatapathCapacities Capacities(int entries)
    {
        var d = DatapathCapacities.Default;
        // Headroom for the standard policy's own entries.
        var need = (uint)entries + 64;
        return d with
        {
            RemoteHostsPerSlot = Math.Max(d.RemoteHostsPerSlot, need),
            PolicyKeysPerSlot = Math.Max(d.PolicyKeysPerSlot, need),
            PolicyPortsPerSlot = Math.Max(d.PolicyPortsPerSlot, need),
            PolicyRangeKeysPerSlot = Math.Max(d.PolicyRangeKeysPerSlot, (uint)(entries / RangeEvery) + 64),
            Rules = Math.Max(d.Rules, FirstRule + (uint)entries + 1),
        };
    }

    /// <summary>Synthetic host i as an IPv4-mapped address.</summary>
    public static IpAddress16 HostAddress(int i) => Ipv4(FirstHost + (uint)i);

    public static IpAddress16 Ipv4(uint address)
    {
        var result = default(IpAddress16);
        Span<byte> bytes = result.Bytes;
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[12..], address);
        return result;
    }

    private static PolicyRanges Ranges(uint rule)
    {
        var ranges = new PolicyRanges { Count = (uint)s_ranges.Length };
        Span<PortRange> slots = ranges.Ranges;
        for (var r = 0; r < s_ranges.Length; r++)
        {
            slots[r] = new PortRange
            {
                FirstPort = s_ranges[r].First, LastPort = s_ranges[r].Last,
                RuleId = rule, Action = RuleActionKind.Allow,
            };
        }
        return ranges;
    }
}
