using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests;

/// <summary>
/// Pins left by a build of another map layout or ABI version are never adopted: a load
/// refuses them naming the map, what it expected and what it found, and leaves them as they
/// are; or, when asked, loads new maps and pins them in their place only when told to.
/// </summary>
public sealed class PinnedMapVersionTests
{
    private static DatapathOptions Options(BpfPinDirectory pins) =>
        DatapathObjects.Options(FixtureCapacities.Small) with { PinDirectory = pins.Path };

    [PrivilegedFact]
    public void AnotherCapacityIsRefusedByName()
    {
        using var pins = new BpfPinDirectory();
        LoadAndLeave(pins);
        var bigger = Options(pins) with { Capacities = FixtureCapacities.Small with { ConntrackEntries = 2048 } };
        AssertRefused(pins, bigger, "ms_conntrack: max_entries 2048 expected, 1024 found");
    }

    [PrivilegedFact]
    public void AnotherValueSizeIsRefusedByName()
    {
        using var pins = new BpfPinDirectory();
        LoadAndLeave(pins);
        // An ms_slot_config of 8-byte values, as a build before a field was added would have left it.
        OtherBuildPins.ReplaceMap(pins.Combine(MapNames.SlotConfig), "array", 4, 8, 2);
        AssertRefused(pins, Options(pins), "ms_slot_config: value size 12 expected, 8 found");
    }

    [PrivilegedFact]
    public void AnotherAbiVersionIsRefused()
    {
        using var pins = new BpfPinDirectory();
        LoadAndLeave(pins);
        OtherBuildPins.SetAbiVersion(pins.Path, 7);
        AssertRefused(pins, Options(pins), "ms_abi_version: ABI version 1 expected, 7 found");
    }

    [PrivilegedFact]
    public void PinsWithoutAVersionAreRefused()
    {
        using var pins = new BpfPinDirectory();
        LoadAndLeave(pins);
        File.Delete(pins.Combine(MapNames.AbiVersion));
        AssertRefused(pins, Options(pins), "ms_abi_version: ABI version 1 expected, none (the maps predate versioned pins) found");
    }

    [PrivilegedFact]
    public void ReplacingLoadsNewMapsAndPinsThemOnlyWhenTold()
    {
        using var pins = new BpfPinDirectory();
        LoadAndLeave(pins);
        var oldConntrack = OtherBuildPins.ReplaceMap(pins.Combine(MapNames.Conntrack), "lru_hash", 40, 48, 1024);

        using (var replacing = LoadedDatapath.Load(Options(pins) with { IncompatiblePins = IncompatiblePins.Replace }))
        {
            Assert.False(replacing.AdoptedPinnedMaps);
            Assert.Equal("ms_conntrack: value size 56 expected, 48 found", Assert.Single(replacing.PinMismatches).ToString());
            // Nothing replaced yet: the old pins stay until the new maps hold the policy.
            Assert.Equal(oldConntrack, OtherBuildPins.MapId(pins.Combine(MapNames.Conntrack)));
            new SlotWriter(replacing.Maps).Apply(StandardPolicy.Seed().Build());
            replacing.ReplacePins();
            Assert.Equal(replacing.Maps.Conntrack.Map.Id, OtherBuildPins.MapId(pins.Combine(MapNames.Conntrack)));
            Assert.Equal(replacing.Maps.Policy.Map.Id, OtherBuildPins.MapId(pins.Combine(MapNames.Policy)));
            Assert.Equal(replacing.Maps.AbiVersion.Map.Id, OtherBuildPins.MapId(pins.Combine(MapNames.AbiVersion)));
        }

        // The same build now adopts what it pinned, version included.
        using var again = LoadedDatapath.Load(Options(pins));
        Assert.True(again.AdoptedPinnedMaps);
        Assert.Empty(again.PinMismatches);
        Assert.True(again.Maps.AbiVersion.TryLookup(0, out var version) && version == Abi.AbiConstants.AbiVersion);
    }

    private static void LoadAndLeave(BpfPinDirectory pins)
    {
        using var first = LoadedDatapath.Load(Options(pins));
        Assert.False(first.AdoptedPinnedMaps);
    }

    private static void AssertRefused(BpfPinDirectory pins, DatapathOptions options, string mismatch)
    {
        var before = MapNames.Shared.Where(n => File.Exists(pins.Combine(n)))
            .ToDictionary(n => n, n => OtherBuildPins.MapId(pins.Combine(n)), StringComparer.Ordinal);
        var refused = Assert.Throws<PinnedMapsIncompatibleException>(() => LoadedDatapath.Load(options));
        Assert.Contains(mismatch, refused.Mismatches.Select(m => m.ToString()));
        Assert.Contains(mismatch, refused.Message);
        foreach (var (name, id) in before)
            Assert.Equal(id, OtherBuildPins.MapId(pins.Combine(name)));
    }
}
