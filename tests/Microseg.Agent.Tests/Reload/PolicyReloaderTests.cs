using Microseg.Agent.Lifecycle;
using Microseg.Agent.Reload;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.TestSupport;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Tests.Reload;

/// <summary>
/// microsegd's reload takes the path the policy benchmark measures: a changed file is compiled
/// from the live policy, only where it changed; and a policy that warns once per rule does not
/// flood the journal on every reload.
/// </summary>
public sealed class PolicyReloaderTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("microsegd-reloader-");

    private string PolicyPath => Path.Combine(_directory.FullName, "policy.yaml");

    [PrivilegedFact]
    public async Task AChangedRuleIsCompiledFromTheLivePolicyAndTheFirstLoadWhole()
    {
        var (reloader, log, session) = Start();
        using var _ = session;
        File.WriteAllText(PolicyPath, Policy(rules: 40, firstPort: 1000));
        Assert.True((await reloader.ReloadAsync(CancellationToken.None)).Applied);
        Assert.Contains(log.Lines, l => l.Contains("compiled whole", StringComparison.Ordinal));

        File.WriteAllText(PolicyPath, Policy(rules: 40, firstPort: 1000).Replace("ports: [1007]", "ports: [2007]", StringComparison.Ordinal));
        var second = await reloader.ReloadAsync(CancellationToken.None);
        Assert.True(second.Applied, string.Join("; ", second.Errors));
        Assert.Contains("compiled and compared only where the files changed", log.Lines[^1], StringComparison.Ordinal);
        Assert.Contains(reloader.Live!.Image.Ports.Keys, k => k.Port == 2007);
        Assert.DoesNotContain(reloader.Live!.Image.Ports.Keys, k => k.Port == 1007);
    }

    [PrivilegedFact]
    public async Task ManyWarningsAreLoggedAsTheFirstTwentyAndACount()
    {
        var (reloader, log, session) = Start();
        using var _ = session;
        // Every rule's local side selects an identity with no endpoint on this host: one
        // warning per rule, as a policy written for a whole fleet has.
        File.WriteAllText(PolicyPath, Policy(rules: 50, firstPort: 1000, localIdentity: "elsewhere"));
        var outcome = await reloader.ReloadAsync(CancellationToken.None);

        Assert.True(outcome.Applied, string.Join("; ", outcome.Errors));
        var warnings = log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(21, warnings.Count);
        Assert.Contains("30 more warnings not logged", warnings[^1], StringComparison.Ordinal);
        Assert.Contains($"microsegctl policy check {PolicyPath}", warnings[^1], StringComparison.Ordinal);
    }

    private (PolicyReloader Reloader, ListLogger Log, DatapathSession Session) Start()
    {
        var capacities = FixtureCapacities.Small;
        var datapath = LoadedDatapath.Load(new DatapathOptions { ObjectDirectory = Path.GetDirectoryName(ArtifactPaths.BpfObject("xdp_ingress"))!, Capacities = capacities });
        var session = new DatapathSession(datapath.Maps, datapath.Ingress, datapath.Egress, capacities, DatapathProvenance.Fresh, "test", datapath);
        var log = new ListLogger();
        var store = new AgentStateStore(Path.Combine(_directory.FullName, "state"));
        Directory.CreateDirectory(store.Directory);
        return (new PolicyReloader(PolicyPath, session, store, log), log, session);
    }

    private static string Policy(int rules, int firstPort, string localIdentity = "web")
    {
        var text = new System.Text.StringBuilder("""
            version: 1
            defaults: {mode: monitor, ingress: deny, egress: allow}
            identities:
              - {name: web, labels: {app: web}, addresses: [10.66.0.1]}
              - {name: elsewhere, labels: {app: elsewhere}, addresses: [10.66.0.3]}
              - {name: client, labels: {app: client}, addresses: [10.66.0.2]}
            endpoints:
              - {identity: web, addresses: [10.66.0.1], mode: enforce}
            management: []
            rules:

            """);
        for (var i = 0; i < rules; i++)
            text.AppendLine($"  - {{name: r{i}, action: allow, direction: ingress, local: {{identity: {localIdentity}}}, peer: {{identity: client}}, protocol: tcp, ports: [{firstPort + i}]}}");
        return text.ToString();
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>Keeps what is logged, formatted.</summary>
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public List<string> Lines => [.. Entries.Select(e => e.Message)];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception)));
    }
}
