using Microseg.Bpf;
using Microseg.Datapath.Maps;

namespace Microseg.Datapath.Loading;

/// <summary>
/// Microseg's two programs, loaded and sharing one set of maps: the XDP ingress object is
/// loaded first and the TC egress object reuses its maps by file descriptor.
/// </summary>
public sealed class LoadedDatapath : IDisposable
{
    private readonly BpfObject _ingressObject;
    private readonly BpfObject _egressObject;
    // Interface counter slots handed out so far; slot 0 counts interfaces without one.
    private uint _lastInterfaceSlot;

    /// <summary>The XDP program judging arriving packets.</summary>
    public BpfProgram Ingress { get; }

    /// <summary>The TC program judging leaving packets.</summary>
    public BpfProgram Egress { get; }

    public DatapathMaps Maps { get; }

    /// <summary>True when the maps were adopted from pins left by an earlier run.</summary>
    public bool AdoptedPinnedMaps { get; }

    public DatapathOptions Options { get; }

    private LoadedDatapath(DatapathOptions options, BpfObject ingress, BpfObject egress, bool adopted)
    {
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
    /// reused and the others pinned. A fresh set of maps starts with slot 0 live and every
    /// address in mode off: nothing is enforced until a policy is applied.
    /// </summary>
    public static LoadedDatapath Load(DatapathOptions options)
    {
        BpfObject? ingress = null, egress = null;
        try
        {
            ingress = BpfObject.Open(ObjectPath(options, MapNames.IngressObjectFile));
            foreach (var (map, size) in options.Capacities.MapSizes())
                ingress.SetMapMaxEntries(map, size);
            options.Tuning.ApplyTo(ingress);
            var adopted = options.PinDirectory is { } pins && ReusePinnedMaps(ingress, pins);
            ingress.Load();

            egress = BpfObject.Open(ObjectPath(options, MapNames.EgressObjectFile));
            options.Tuning.ApplyTo(egress);
            foreach (var name in MapNames.Shared)
                egress.ReuseMap(name, ingress.GetMap(name));
            egress.Load();

            if (options.PinDirectory is { } pinDirectory)
                PinMaps(ingress, pinDirectory);
            return new LoadedDatapath(options, ingress, egress, adopted);
        }
        catch
        {
            egress?.Dispose();
            ingress?.Dispose();
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

    private static void PinMaps(BpfObject ingress, string pinDirectory)
    {
        Directory.CreateDirectory(pinDirectory);
        foreach (var name in MapNames.Shared)
        {
            var path = Path.Combine(pinDirectory, name);
            if (!File.Exists(path))
                ingress.GetMap(name).Pin(path);
        }
    }

    /// <summary>
    /// Attaches ingress (XDP) and egress (TC clsact) to an interface of the calling thread's
    /// network namespace, and gives it counters of its own. Interfaces share counter slots
    /// by ifindex, so two namespaces' interfaces with one ifindex count together.
    /// </summary>
    public DatapathAttachment Attach(int ifindex, XdpAttachMode mode, Action<string>? log = null)
    {
        var slot = Math.Min(++_lastInterfaceSlot, Abi.AbiConstants.MaxInterfaceSlots - 1);
        Maps.AssignInterfaceSlot(ifindex, slot);
        var xdpMode = Xdp.Attach(ifindex, Ingress, mode, log);
        try
        {
            var tc = Tc.AttachEgress(ifindex, Egress);
            return new DatapathAttachment(ifindex, xdpMode, tc, slot);
        }
        catch
        {
            Xdp.Detach(ifindex, xdpMode);
            throw;
        }
    }

    /// <summary>Removes both programs from the interface (and clsact, if we created it).</summary>
    public static void Detach(DatapathAttachment attachment)
    {
        Xdp.Detach(attachment.Ifindex, attachment.XdpMode);
        Tc.Detach(attachment.Egress);
    }

    public void Dispose()
    {
        _egressObject.Dispose();
        _ingressObject.Dispose();
    }
}
