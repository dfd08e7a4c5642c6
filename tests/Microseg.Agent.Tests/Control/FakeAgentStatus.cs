using Microseg.Agent.Control;

namespace Microseg.Agent.Tests.Control;

/// <summary>
/// An <see cref="IAgentStatus"/> with a fixed, hand-written picture of a daemon: two interfaces,
/// two endpoints, counters with known values, and a rule whose name needs escaping everywhere.
/// Counts the snapshots taken and answers reloads with <see cref="NextReload"/>.
/// </summary>
internal sealed class FakeAgentStatus : IAgentStatus
{
    /// <summary>A rule name with every character the Prometheus text format must escape.</summary>
    public const string AwkwardRule = "deny \"legacy\" C:\\share\nline2";

    private int _snapshots;

    public FakeAgentStatus(AgentStatusSnapshot? snapshot = null) => Current = snapshot ?? Sample;

    /// <summary>What <see cref="Snapshot"/> answers.</summary>
    public AgentStatusSnapshot Current { get; set; }

    /// <summary>What <see cref="ReloadAsync"/> answers.</summary>
    public ReloadOutcome NextReload { get; set; } = new(true, 8, []);

    /// <summary>When set, <see cref="Snapshot"/> throws it, as a daemon whose maps cannot be read would.</summary>
    public Exception? SnapshotFailure { get; set; }

    /// <summary>How many snapshots have been taken.</summary>
    public int Snapshots => Volatile.Read(ref _snapshots);

    public static AgentStatusSnapshot Sample { get; } = new(
        Version: "1.2.3-test",
        StartedAt: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        PolicyPath: "/etc/microseg/policy.yaml",
        PolicySha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        PolicyGeneration: 7,
        PolicyAppliedAt: new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Interfaces: [new("eth0", 2, "native", true), new("eth1", 3, "generic", false)],
        Endpoints: [new("web", ["10.0.0.1", "fd00::1"], "enforce"), new("db", ["10.0.0.2"], "monitor")],
        Programs: [new("ms_xdp_ingress", 41, "a1b2c3d4e5f60718"), new("ms_tc_egress", 42, "0102030405060708")],
        Maps: [new("ms_conntrack", 12, 65536), new("ms_policy", 40, 131072)],
        Verdicts:
        [
            new("eth0", "ingress", "allow", "policy_rule", 10, 1000),
            new("eth0", "ingress", "deny", "policy_default", 3, 180),
            new("eth1", "egress", "allow", "established", 5, 500),
        ],
        Rules: [new("allow-web", "allow", 10, 1000), new(AwkwardRule, "deny", 3, 180)],
        ConntrackEntries: 12,
        Reloads: new(4, 1, new DateTimeOffset(2025, 1, 2, 3, 4, 5, 500, TimeSpan.Zero), ["policy.yaml:3:1: error: unknown key 'rulez'"]),
        Events: new(100, 2, 1, LostBudget: 4, SummarisedDenials: 6, SummarisedWouldDenials: 1),
        Attribution: new(Resolved: 40, Cached: 55, Unresolved: 4, Dropped: 1));

    public AgentStatusSnapshot Snapshot()
    {
        Interlocked.Increment(ref _snapshots);
        return SnapshotFailure is { } failure ? throw failure : Current;
    }

    public Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken) => Task.FromResult(NextReload);
}
