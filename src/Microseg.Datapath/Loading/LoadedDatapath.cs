using Microseg.Bpf;
using Microseg.Datapath.Maps;

namespace Microseg.Datapath.Loading;

/// <summary>
/// Microseg's two programs, loaded and sharing one set of maps: the XDP ingress object is
/// loaded first and the TC egress object reuses its maps by file descriptor. Attaching them
/// to interfaces is <see cref="Attaching.InterfaceAttacher"/>'s.
/// </summary>
public sealed class LoadedDatapath : IDisposable
{
    private readonly BpfObject _ingressObject;
    private readonly BpfObject _egressObject;

    /// <summary>The XDP program judging arriving packets.</summary>
    public BpfProgram Ingress { get; }

    /// <summary>The TC program judging leaving packets.</summary>
    public BpfProgram Egress { get; }

    public DatapathMaps Maps { get; }

    /// <summary>True when the maps were adopted from pins left by an earlier run.</summary>
    public bool AdoptedPinnedMaps { get; }

    /// <summary>
    /// How the pinned maps differed from this object's, when they did and
    /// <see cref="IncompatiblePins.Replace"/> loaded new maps instead: until
    /// <see cref="ReplacePins"/>, the old pins stay and these maps are pinned nowhere.
    /// </summary>
    public IReadOnlyList<PinnedMapMismatch> PinMismatches { get; }

    public DatapathOptions Options { get; }

    private LoadedDatapath(DatapathOptions options, BpfObject ingress, BpfObject egress, bool adopted,
        IReadOnlyList<PinnedMapMismatch> incompatible)
    {
        PinMismatches = incompatible;
        Options = options;
        _ingressObject = ingress;
        _egressObject = egress;
        Ingress = ingress.GetProgram(MapNames.IngressProgram);
        Egress = egress.GetProgram(MapNames.EgressProgram);
        Maps = new DatapathMaps(ingress.GetMap);
        AdoptedPinnedMaps = adopted;
    }

    /// <summary>
    /// Opens, sizes and loads both programs. With a pin directory, maps pinned there are
    /// reused and the others pinned, when the pins are of this object's layout and ABI
    /// version (<see cref="PinnedMapCheck"/>); otherwise <see cref="DatapathOptions.IncompatiblePins"/>
    /// says whether to refuse or to load new maps. A fresh set of maps starts with slot 0 live
    /// and every address in mode off: nothing is enforced until a policy is applied.
    /// </summary>
    public static LoadedDatapath Load(DatapathOptions options)
    {
        BpfObject? ingress = null, egress = null;
        try
        {
            ingress = OpenIngress(options);
            IReadOnlyList<PinnedMapMismatch> incompatible = options.PinDirectory is { } pins ? PinnedMapCheck.Run(ingress, pins) : [];
            if (incompatible.Count > 0 && options.IncompatiblePins == Loading.IncompatiblePins.Refuse)
                throw new PinnedMapsIncompatibleException(options.PinDirectory!, incompatible);
            var adopted = incompatible.Count == 0 && options.PinDirectory is { } adopt && ReusePinnedMaps(ingress, adopt);
            ingress.Load();
            // Recorded before anything is pinned: a pinned map set always says its version.
            if (!adopted)
                ingress.GetMap(MapNames.AbiVersion).As<uint, uint>().Update(0, Abi.AbiConstants.AbiVersion);

            egress = BpfObject.Open(ObjectPath(options, MapNames.EgressObjectFile));
            options.Tuning.ApplyTo(egress);
            foreach (var name in MapNames.Shared)
                egress.ReuseMap(name, ingress.GetMap(name));
            egress.Load();

            if (options.PinDirectory is { } pinDirectory && incompatible.Count == 0)
                PinMaps(ingress, pinDirectory, replace: false);
            return new LoadedDatapath(options, ingress, egress, adopted, incompatible);
        }
        catch
        {
            egress?.Dispose();
            ingress?.Dispose();
            throw;
        }
    }

    /// <summary>The ingress object opened and sized as a load would, not loaded: its maps are what a load expects.</summary>
    internal static BpfObject OpenIngress(DatapathOptions options)
    {
        var ingress = BpfObject.Open(ObjectPath(options, MapNames.IngressObjectFile));
        try
        {
            foreach (var (map, size) in options.Capacities.MapSizes())
                ingress.SetMapMaxEntries(map, size);
            options.Tuning.ApplyTo(ingress);
            return ingress;
        }
        catch
        {
            ingress.Dispose();
            throw;
        }
    }

    private static string ObjectPath(DatapathOptions options, string file)
    {
        var path = Path.Combine(options.ObjectDirectory, file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"eBPF object {path} is missing: build it with `make bpf`", path);
        return path;
    }

    private static bool ReusePinnedMaps(BpfObject ingress, string pinDirectory)
    {
        var any = false;
        foreach (var name in MapNames.Shared)
        {
            var path = Path.Combine(pinDirectory, name);
            if (!File.Exists(path))
                continue;
            // The object keeps its own reference to the map; ours can go right away.
            using var pinned = BpfMap.OpenPinned(path);
            ingress.ReuseMap(name, pinned);
            any = true;
        }
        return any;
    }

    private static void PinMaps(BpfObject ingress, string pinDirectory, bool replace)
    {
        Directory.CreateDirectory(pinDirectory);
        foreach (var name in MapNames.Shared)
        {
            var path = Path.Combine(pinDirectory, name);
            if (replace)
                BpfPin.Unpin(path);
            if (!File.Exists(path))
                ingress.GetMap(name).Pin(path);
        }
    }

    /// <summary>
    /// Pins these maps in place of the incompatible ones found at load (<see cref="PinMismatches"/>).
    /// Programs still attached keep the old maps they hold until they are swapped; a pin is
    /// only a name. Call once the new maps hold what must be enforced.
    /// </summary>
    public void ReplacePins()
    {
        if (Options.PinDirectory is not { } pinDirectory)
            throw new InvalidOperationException("ReplacePins needs a datapath loaded with a pin directory");
        PinMaps(_ingressObject, pinDirectory, replace: true);
    }

    public void Dispose()
    {
        _egressObject.Dispose();
        _ingressObject.Dispose();
    }
}
