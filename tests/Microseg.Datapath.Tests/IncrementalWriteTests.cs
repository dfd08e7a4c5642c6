using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests;

/// <summary>
/// The slot writer given the keys that changed from the live image writes the same slot as a
/// whole comparison would, across the alternating slots, hints included.
/// </summary>
public sealed class IncrementalWriteTests
{
    [PrivilegedFact]
    public void ChangedKeysAloneKeepBothSlotsExact()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        var writer = new SlotWriter(datapath.Maps);
        var first = StandardPolicy.Seed().Build();
        writer.Apply(first);
        // The same image again: both slots hold it, and the writer knows they agree.
        writer.Apply(first);

        var key = first.Policies.Keys.First();
        var port = new PolicyPortKey { Policy = key, Port = 4242 };
        var second = first.Clone();
        second.Ports[port] = new RuleAction { RuleId = 7, Action = RuleActionKind.Allow };
        var toSecond = new SlotImageChanges();
        toSecond.Ports.Add(port);
        var written = writer.Apply(second, first, toSecond);
        Assert.Equal(2, written.Written); // the port, and its key's hints
        AssertSlotHolds(datapath, writer.ActiveSlot, second);
        Assert.True(second.Policies[key].Flags.HasFlag(PolicyFlags.ExactPorts));

        // Back to the first image's entries: the standby slot still holds the first image, so
        // only the changes into and out of the second are looked at.
        var third = second.Clone();
        third.Ports.Remove(port);
        var toThird = new SlotImageChanges();
        toThird.Ports.Add(port);
        writer.Apply(third, second, toThird);
        AssertSlotHolds(datapath, writer.ActiveSlot, first);

        var fourth = third.Clone();
        fourth.Policies.Remove(key);
        foreach (var p in fourth.Ports.Keys.Where(p => p.Policy.Equals(key)).ToList())
            fourth.Ports.Remove(p);
        fourth.Ranges.Remove(key);
        var toFourth = new SlotImageChanges();
        toFourth.Policies.Add(key);
        toFourth.Ranges.Add(key);
        toFourth.Ports.UnionWith(first.Ports.Keys.Where(p => p.Policy.Equals(key)));
        writer.Apply(fourth, third, toFourth);
        AssertSlotHolds(datapath, writer.ActiveSlot, fourth);
        Assert.False(fourth.Policies.ContainsKey(key));
    }

    private static void AssertSlotHolds(LoadedDatapath datapath, uint slot, SlotImage image)
    {
        var policies = new Dictionary<PolicyKey, PolicyValue>();
        foreach (var k in datapath.Maps.Policy.Keys)
        {
            if (k.Slot == slot && datapath.Maps.Policy.TryLookup(k, out var v))
                policies[k with { Slot = 0 }] = v;
        }
        var ports = new Dictionary<PolicyPortKey, RuleAction>();
        foreach (var k in datapath.Maps.PolicyPorts.Keys)
        {
            if (k.Policy.Slot == slot && datapath.Maps.PolicyPorts.TryLookup(k, out var v))
                ports[k with { Policy = k.Policy with { Slot = 0 } }] = v;
        }
        var expected = image.Clone();
        expected.DeriveLookupHints();
        Same(expected.Policies, policies);
        Same(expected.Ports, ports);

        static void Same<TKey, TValue>(Dictionary<TKey, TValue> expected, Dictionary<TKey, TValue> actual) where TKey : notnull
        {
            Assert.Equal(expected.Count, actual.Count);
            foreach (var (key, value) in expected)
            {
                Assert.True(actual.TryGetValue(key, out var held), $"slot lacks {key}");
                Assert.Equal(value, held);
            }
        }
    }
}
