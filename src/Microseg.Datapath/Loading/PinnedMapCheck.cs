using Microseg.Bpf;
using Microseg.Datapath.Abi;

namespace Microseg.Datapath.Loading;

/// <summary>
/// Compares the maps pinned in a directory with what an opened, not yet loaded, object
/// expects (sized as it will be loaded): each map's type, key size, value size, max_entries
/// and flags, and the ABI version recorded in ms_abi_version, which catches a change of
/// meaning that leaves the sizes alone. libbpf's bpf_map__reuse_fd checks none of this: it
/// takes the pinned map's sizes silently, so an old layout would be read as the new one.
/// </summary>
public static class PinnedMapCheck
{
    /// <summary>The differences between the maps pinned in <see cref="DatapathOptions.PinDirectory"/> and those a load with these options would make.</summary>
    public static IReadOnlyList<PinnedMapMismatch> Run(DatapathOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pinDirectory = options.PinDirectory ?? throw new ArgumentException("no pin directory to check", nameof(options));
        using var ingress = LoadedDatapath.OpenIngress(options);
        return Run(ingress, pinDirectory);
    }

    /// <summary>
    /// Every difference between the pins and the object; empty when the pins can be adopted
    /// (or there are none). A map not pinned is no difference: it is created and pinned.
    /// </summary>
    public static IReadOnlyList<PinnedMapMismatch> Run(BpfObject opened, string pinDirectory)
    {
        var mismatches = new List<PinnedMapMismatch>();
        var anyPinned = false;
        foreach (var name in MapNames.Shared)
        {
            var path = Path.Combine(pinDirectory, name);
            if (!File.Exists(path))
                continue;
            anyPinned = true;
            using var pinned = BpfMap.OpenPinned(path);
            Compare(name, opened.GetMap(name), pinned, mismatches);
        }
        if (anyPinned && !mismatches.Any(m => m.Map == MapNames.AbiVersion))
            CheckVersion(pinDirectory, mismatches);
        return mismatches;
    }

    private static void Compare(string name, BpfMap expected, BpfMap found, List<PinnedMapMismatch> mismatches)
    {
        Check("type", expected.Type, found.Type);
        Check("key size", expected.KeySize, found.KeySize);
        Check("value size", expected.ValueSize, found.ValueSize);
        Check("max_entries", expected.MaxEntries, found.MaxEntries);
        Check("flags", expected.Flags, found.Flags);

        void Check<T>(string property, T want, T have) where T : notnull
        {
            if (!want.Equals(have))
                mismatches.Add(new PinnedMapMismatch(name, property, want.ToString()!, have.ToString()!));
        }
    }

    private static void CheckVersion(string pinDirectory, List<PinnedMapMismatch> mismatches)
    {
        var path = Path.Combine(pinDirectory, MapNames.AbiVersion);
        string found;
        if (!File.Exists(path))
        {
            found = "none (the maps predate versioned pins)";
        }
        else
        {
            using var pinned = BpfMap.OpenPinned(path);
            var version = pinned.As<uint, uint>().TryLookup(0, out var v) ? v : 0;
            if (version == AbiConstants.AbiVersion)
                return;
            found = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        mismatches.Add(new PinnedMapMismatch(MapNames.AbiVersion, "ABI version",
            AbiConstants.AbiVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), found));
    }
}
