using Microseg.Bpf;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Maps;
using Microseg.Datapath.Slots;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// The datapath this daemon runs: the two programs and the shared maps, either loaded now
/// (adopting pinned maps when there are any) or reused as pinned by an earlier run of the
/// same build. Disposing closes our handles only: pins and attachments stay, so enforcement
/// continues after the daemon exits.
/// </summary>
public sealed class DatapathSession : IDisposable
{
    private readonly IDisposable[] _owned;
    // Pins the new maps and programs in place of incompatible ones; null when nothing waits.
    private Action? _replacePins;

    public DatapathSession(DatapathMaps maps, BpfProgram ingress, BpfProgram egress, DatapathCapacities capacities,
        DatapathProvenance provenance, string buildSha256, params IDisposable[] owned)
    {
        Maps = maps;
        Ingress = ingress;
        Egress = egress;
        Capacities = capacities;
        Provenance = provenance;
        BuildSha256 = buildSha256;
        Writer = new SlotWriter(maps);
        _owned = owned;
    }

    public DatapathMaps Maps { get; }
    public BpfProgram Ingress { get; }
    public BpfProgram Egress { get; }
    public DatapathCapacities Capacities { get; }
    public DatapathProvenance Provenance { get; }
    public string BuildSha256 { get; }

    /// <summary>The one slot writer of this datapath (not thread-safe: the policy reloader serialises its use).</summary>
    public SlotWriter Writer { get; }

    /// <summary>True when the maps, and the policy and conntrack in them, came from an earlier run.</summary>
    public bool AdoptedState => Provenance is DatapathProvenance.LoadedOntoPinnedMaps or DatapathProvenance.ReusedPinned;

    /// <summary>How the pinned maps differed from this build's (<see cref="DatapathProvenance.ReplacingIncompatiblePins"/>); else empty.</summary>
    public IReadOnlyList<PinnedMapMismatch> PinMismatches { get; init; } = [];

    /// <summary>
    /// With <see cref="DatapathProvenance.ReplacingIncompatiblePins"/>: what <see cref="ReplacePins"/> does,
    /// pinning this session's maps and programs in place of the old ones.
    /// </summary>
    public Action? PinReplacement
    {
        init => _replacePins = value;
    }

    /// <summary>
    /// Pins this session's maps and programs in place of the incompatible ones, once the new
    /// maps hold the policy (and before the programs are attached anywhere). Once only.
    /// </summary>
    public void ReplacePins()
    {
        var replace = _replacePins ?? throw new InvalidOperationException("no incompatible pins wait to be replaced");
        _replacePins = null;
        replace();
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
            owned.Dispose();
    }
}

/// <summary>Where a session's programs and maps came from.</summary>
public enum DatapathProvenance
{
    /// <summary>Programs loaded now onto new maps: nothing was pinned.</summary>
    Fresh,
    /// <summary>Programs loaded now (a new build) onto the maps an earlier run pinned.</summary>
    LoadedOntoPinnedMaps,
    /// <summary>Programs and maps both as an earlier run of this build pinned them: nothing loaded.</summary>
    ReusedPinned,
    /// <summary>
    /// Programs loaded now onto new maps, because the pinned ones are of another layout or ABI
    /// version: conntrack is dropped; the policy is written before the new maps replace the
    /// old pins and the programs are swapped on the interfaces.
    /// </summary>
    ReplacingIncompatiblePins,
}
