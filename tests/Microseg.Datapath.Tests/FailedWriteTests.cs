using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Maps;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Datapath.Tests;

/// <summary>
/// A slot write that fails part-way (here: ms_policy_ports is full) leaves the standby slot
/// holding part of the failed image. The next apply must leave exactly its own image there,
/// and the live slot must never have been touched: read back, map by map, both slots.
/// </summary>
public sealed class FailedWriteTests
{
    // ms_policy_ports holds 2 x 8 entries: two slots of 8 ports fill it.
    private static readonly DatapathCapacities EightPorts = FixtureCapacities.Small with { PolicyPortsPerSlot = 8 };

    [PrivilegedFact]
    public void AWholeApplyAfterAFailedOneLeavesExactlyItsImage()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(EightPorts));
        var writer = new SlotWriter(datapath.Maps);
        var a = Ports(1000, 8);
        var b = Ports(2000, 8);
        writer.Apply(a);
        writer.Apply(b);
        var live = writer.ActiveSlot;

        // 12 ports where 8 fit: written in part, then the map is full.
        var tooBig = Ports(3000, 12);
        Assert.Throws<BpfException>(() => writer.Apply(tooBig));
        Assert.Equal(live, writer.ActiveSlot);
        AssertSlotIsExactly(datapath.Maps, live, b);

        // A subset of what the standby slot held before the failure: a writer trusting its old
        // record would see nothing to write and flip to the failed image's leftovers.
        var d = Ports(1000, 4);
        writer.Apply(d);
        AssertSlotIsExactly(datapath.Maps, writer.ActiveSlot, d);
        AssertSlotIsExactly(datapath.Maps, writer.ActiveSlot ^ 1, b);
        writer.Apply(d);
        AssertSlotIsExactly(datapath.Maps, 0, d);
        AssertSlotIsExactly(datapath.Maps, 1, d);
    }

    [PrivilegedFact]
    public void AnIncrementalApplyAfterAFailedOneLeavesExactlyItsImage()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(EightPorts));
        var writer = new SlotWriter(datapath.Maps);
        var a = Ports(1000, 6);
        writer.Apply(a);
        writer.Apply(a); // both slots hold a, and the writer knows they agree: 12 of 16 entries

        // Six more ports where four fit.
        var (grown, growth) = WithPorts(a, 5000, 6);
        Assert.Throws<BpfException>(() => writer.Apply(grown, a, growth));
        AssertSlotIsExactly(datapath.Maps, writer.ActiveSlot, a);

        // One more port, from the live image: only this key would be compared without repair.
        var (next, change) = WithPorts(a, 7000, 1);
        writer.Apply(next, a, change);
        AssertSlotIsExactly(datapath.Maps, writer.ActiveSlot, next);
        AssertSlotIsExactly(datapath.Maps, writer.ActiveSlot ^ 1, a);
    }

    private static PolicyKey WebFromApi => new() { LocalIdentity = Web, RemoteIdentity = Api, Direction = Direction.Ingress, Protocol = Tcp };

    private static SlotImage Ports(int first, int count)
    {
        var seed = new PolicySeed().Endpoint(Web4, Web, EndpointMode.Enforce).Remote(Api4, Api);
        var key = seed.Key(Web, Direction.Ingress, Api, Tcp);
        for (var i = 0; i < count; i++)
            key.Exact((ushort)(first + i), RuleActionKind.Allow, 1);
        return seed.Build();
    }

    private static (SlotImage Image, SlotImageChanges Changes) WithPorts(SlotImage basis, int first, int count)
    {
        var image = basis.Clone();
        var changes = new SlotImageChanges();
        for (var i = 0; i < count; i++)
        {
            var port = new PolicyPortKey { Policy = WebFromApi, Port = (ushort)(first + i) };
            image.Ports[port] = new RuleAction { RuleId = 2, Action = RuleActionKind.Allow };
            changes.Ports.Add(port);
        }
        return (image, changes);
    }

    /// <summary>Every policy map's entries of one slot, read from the kernel, are the image's: none missing, none stale, none different.</summary>
    private static void AssertSlotIsExactly(DatapathMaps maps, uint slot, SlotImage image)
    {
        var expected = image.Clone();
        expected.DeriveLookupHints();
        var s = (byte)slot;
        Same(maps.LocalEndpoints, k => k.Slot == slot,
            expected.Endpoints.ToDictionary(e => new AddressKey { Addr = e.Key, Slot = slot }, e => e.Value));
        Same(maps.RemoteHosts, k => k.Slot == slot,
            expected.RemoteHosts.ToDictionary(e => new AddressKey { Addr = e.Key, Slot = slot }, e => new IdentityValue { Identity = e.Value }));
        Same(maps.RemotePrefixes, k => k.Slot == slot,
            expected.RemotePrefixes.ToDictionary(e => e.Key.ToKey(s), e => new IdentityValue { Identity = e.Value }));
        Same(maps.Policy, k => k.Slot == slot,
            expected.Policies.ToDictionary(e => e.Key with { Slot = s }, e => e.Value));
        Same(maps.PolicyPorts, k => k.Policy.Slot == slot,
            expected.Ports.ToDictionary(e => e.Key with { Policy = e.Key.Policy with { Slot = s } }, e => e.Value));
        Same(maps.PolicyRanges, k => k.Slot == slot,
            expected.Ranges.ToDictionary(e => e.Key with { Slot = s }, e => e.Value));

        void Same<TKey, TValue>(BpfMap<TKey, TValue> map, Func<TKey, bool> inSlot, Dictionary<TKey, TValue> want)
            where TKey : unmanaged where TValue : unmanaged
        {
            var held = new Dictionary<TKey, TValue>();
            foreach (var key in map.Keys)
            {
                if (inSlot(key) && map.TryLookup(key, out var value))
                    held[key] = value;
            }
            var stale = held.Keys.Count(k => !want.ContainsKey(k));
            var missing = want.Keys.Count(k => !held.ContainsKey(k));
            var differ = want.Count(e => held.TryGetValue(e.Key, out var v) && !EqualityComparer<TValue>.Default.Equals(v, e.Value));
            Assert.True(stale == 0 && missing == 0 && differ == 0,
                $"{map.Name} slot {slot}: {stale} stale entries, {missing} missing, {differ} different (of {want.Count} expected)");
        }
    }
}
