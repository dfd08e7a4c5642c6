namespace Microseg.Datapath.Loading;

/// <summary>Where the eBPF objects are, how big the maps are, and where state is pinned.</summary>
public sealed record DatapathOptions
{
    /// <summary>Directory holding xdp_ingress.bpf.o and tc_egress.bpf.o.</summary>
    public required string ObjectDirectory { get; init; }

    public DatapathCapacities Capacities { get; init; } = DatapathCapacities.Default;

    public DatapathTuning Tuning { get; init; } = DatapathTuning.Default;

    /// <summary>
    /// bpffs directory for maps and programs. Maps already pinned there are adopted (state,
    /// conntrack included, survives a restart); null pins nothing (tests, benchmarks).
    /// </summary>
    public string? PinDirectory { get; init; }

    /// <summary>What to do when the pinned maps are of another layout or ABI version (never adopted).</summary>
    public IncompatiblePins IncompatiblePins { get; init; } = IncompatiblePins.Refuse;
}
