using Microseg.Bpf;
using Microseg.Datapath.Maps;

namespace Microseg.Datapath.Loading;

/// <summary>
/// Microseg's two programs and shared maps as an earlier run pinned them, opened without
/// loading anything: adopting them keeps every interface on the programs it runs, and the
/// policy and conntrack in the maps. Whether they are of this build is the caller's to check
/// first (<see cref="PinnedMapCheck"/>). Disposing closes these handles only; pins stay.
/// </summary>
public sealed class PinnedDatapath : IDisposable
{
    private readonly List<IDisposable> _opened;

    private PinnedDatapath(DatapathMaps maps, BpfProgram ingress, BpfProgram egress, List<IDisposable> opened)
    {
        Maps = maps;
        Ingress = ingress;
        Egress = egress;
        _opened = opened;
    }

    public DatapathMaps Maps { get; }

    /// <summary>The pinned XDP ingress program.</summary>
    public BpfProgram Ingress { get; }

    /// <summary>The pinned TC egress program.</summary>
    public BpfProgram Egress { get; }

    /// <summary>
    /// Opens every shared map pinned under its own name in <paramref name="mapDirectory"/> and
    /// the two programs pinned at <paramref name="ingressPin"/> and <paramref name="egressPin"/>.
    /// Throws <see cref="BpfException"/> (nothing left open) when one cannot be opened.
    /// </summary>
    public static PinnedDatapath Open(string mapDirectory, string ingressPin, string egressPin)
    {
        var opened = new List<IDisposable>(MapNames.Shared.Length + 2);
        try
        {
            var maps = new Dictionary<string, BpfMap>();
            foreach (var name in MapNames.Shared)
            {
                var map = BpfMap.OpenPinned(Path.Combine(mapDirectory, name));
                opened.Add(map);
                maps[name] = map;
            }
            var ingress = BpfProgram.OpenPinned(ingressPin);
            opened.Add(ingress);
            var egress = BpfProgram.OpenPinned(egressPin);
            opened.Add(egress);
            return new PinnedDatapath(new DatapathMaps(n => maps[n]), ingress, egress, opened);
        }
        catch
        {
            foreach (var o in opened)
                o.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var o in _opened)
            o.Dispose();
    }
}
