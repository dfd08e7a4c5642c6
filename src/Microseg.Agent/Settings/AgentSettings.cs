using Microseg.Bpf;

namespace Microseg.Agent.Settings;

/// <summary>
/// Everything microsegd is told: from <c>/etc/microseg/microsegd.yaml</c>, then the command
/// line on top. The defaults are those of an installed daemon.
/// </summary>
public sealed record AgentSettings
{
    public const string DefaultConfigPath = "/etc/microseg/microsegd.yaml";

    /// <summary>Interfaces to attach to; the default, <c>*</c>, is every non-loopback interface.</summary>
    public IReadOnlyList<InterfaceSpec> Interfaces { get; init; } = [new InterfaceSpec(InterfaceSpec.All, null)];

    public string PolicyPath { get; init; } = "/etc/microseg/policy.yaml";

    /// <summary>host:port for Prometheus; loopback so metrics are not exposed by accident. Null: no metrics listener.</summary>
    public string? MetricsAddress { get; init; } = "127.0.0.1:9469";

    /// <summary>Where flow events are appended as JSON lines (<c>-</c>: standard output); null writes none.</summary>
    public string? FlowLogPath { get; init; }

    /// <summary>Size the flow log file is rotated at; 0 never rotates it.</summary>
    public long FlowLogMaxBytes { get; init; } = Events.FlowLogWriter.DefaultMaxBytes;

    /// <summary>Rotated flow log files kept (PATH.1 … PATH.N, 1 the newest).</summary>
    public int FlowLogKeep { get; init; } = Events.FlowLogWriter.DefaultKeep;

    /// <summary>
    /// Deny and would-deny events per second the kernel sends across all remote addresses (the
    /// global budget, shared evenly among the CPUs); what exceeds it, or a remote's own limit, is
    /// counted in deny summaries instead.
    /// </summary>
    public uint DenyEventBudget { get; init; } = Datapath.Loading.DatapathTuning.Default.EventBudgetPerSecond;

    /// <summary>How often the kernel's deny summaries are taken and written as deny_summary records.</summary>
    public TimeSpan DenySummaryInterval { get; init; } = Events.EventSummaryDrain.DefaultInterval;

    /// <summary>Where the daemon remembers what it attached and which build it pinned.</summary>
    public string StateDirectory { get; init; } = "/var/lib/microseg";

    /// <summary>bpffs directory for the pinned maps and programs.</summary>
    public string PinDirectory { get; init; } = "/sys/fs/bpf/microseg";

    /// <summary>The control API's unix socket (microsegctl); null: no control socket.</summary>
    public string? ControlSocketPath { get; init; } = "/run/microseg/microseg.sock";

    /// <summary>Directory holding xdp_ingress.bpf.o and tc_egress.bpf.o (artifacts/bpf in a source tree).</summary>
    public string BpfObjectDirectory { get; init; } = "/usr/lib/microseg/bpf";

    /// <summary>Native with a generic fallback, unless told otherwise.</summary>
    public XdpAttachMode XdpMode { get; init; } = XdpAttachMode.NativeWithGenericFallback;

    /// <summary>How often interfaces are looked for (new ones attached, gone ones forgotten).</summary>
    public TimeSpan InterfacePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Quiet time after the last change to the policy file before it is reloaded: editors
    /// write a file in several steps (truncate, write, rename), and only the last is whole.
    /// </summary>
    public TimeSpan ReloadDebounce { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Detach and remove everything the daemon created, then exit.</summary>
    public bool Uninstall { get; init; }
}
