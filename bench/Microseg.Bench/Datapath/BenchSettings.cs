namespace Microseg.Bench.Datapath;

/// <summary>The datapath benchmark's command line, with defaults that finish in about a minute.</summary>
internal sealed record BenchSettings
{
    /// <summary>Identity and rule counts to measure at; the first is the scaling reference.</summary>
    public IReadOnlyList<int> Entries { get; init; } = [10, 10_000, 1_000_000];

    /// <summary>Measured rounds per case (after the warm-up); medians are taken over them.</summary>
    public int Rounds { get; init; } = 7;

    public int WarmupRounds { get; init; } = 1;

    /// <summary>
    /// Kernel repetitions per BPF_PROG_TEST_RUN for the repeatable cases: 200 000 runs of
    /// ~100 ns is ~20 ms, long enough to average out timer granularity and short enough that
    /// a round rarely spans a scheduler tick's disturbance.
    /// </summary>
    public uint Repeat { get; init; } = 200_000;

    /// <summary>Distinct new flows opened per round of the new_flow case.</summary>
    public int FlowsPerRound { get; init; } = 4000;

    /// <summary>The CPU all measurements run on; null picks the last one allowed.</summary>
    public int? Cpu { get; init; }

    /// <summary>Where the eBPF objects are; null finds artifacts/bpf above the working directory.</summary>
    public string? ObjectDirectory { get; init; }

    /// <summary>Where the JSON report goes; null writes none.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Exit non-zero when a target is missed (for CI gates); off by default.</summary>
    public bool Check { get; init; }
}
