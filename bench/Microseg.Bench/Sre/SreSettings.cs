namespace Microseg.Bench.Sre;

/// <summary>What one SRE benchmark run measures, and where it writes.</summary>
internal sealed record SreSettings
{
    /// <summary>Rule counts to measure every configuration at.</summary>
    public int[] RuleCounts { get; init; } = [1000, 10000];
    /// <summary>Configurations to measure (the names); empty = all.</summary>
    public string[] Configurations { get; init; } = [];
    /// <summary>Measured rounds per configuration; each round visits every configuration once.</summary>
    public int Rounds { get; init; } = 5;
    /// <summary>Length of one measurement window.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Traffic before a window opens: flows get established, rings and caches fill.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMilliseconds(300);
    /// <summary>CPU of the generator thread (default: the last allowed).</summary>
    public int? GeneratorCpu { get; init; }
    /// <summary>CPU of the receiver's threaded NAPI (default: none — the receiver runs in softirq on the generator's CPU).</summary>
    public int? ReceiverCpu { get; init; }
    /// <summary>Directory for summary.json and the charts (artifacts/bench).</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>The per-packet benchmark's JSON, to chart ns/packet under BPF_PROG_TEST_RUN beside the SRE figures.</summary>
    public string? DatapathJson { get; init; }
    public string? ObjectDirectory { get; init; }
    /// <summary>Exit 1 when a target is missed.</summary>
    public bool Check { get; init; }

    public static readonly string[] AllConfigurations =
        ["no_filter", "xdp_pass", "xdp_drop", "microseg_allow", "microseg_deny_flood", "nft_set", "nft_linear", "iptables", "xdp_filter"];
}
