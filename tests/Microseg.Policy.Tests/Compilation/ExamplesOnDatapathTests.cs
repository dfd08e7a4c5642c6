using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using Microseg.TestSupport;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>
/// The documented examples, compiled and applied to the real programs, judge packets the way
/// docs/policy.md says: the verdict (dropped or passed) and the deciding rule, read from
/// ms_rule_counters (rule 0, the endpoint default, counts in no rule counter).
/// </summary>
public sealed class ExamplesOnDatapathTests
{
    // (example, packet direction, local, remote, protocol, port, dropped, deciding rule or null for the default)
    public static readonly TheoryData<string, Direction, string, string, string, int, bool, string?> Packets = new()
    {
        // three-tier: enforce, ingress and egress deny by default.
        { "three-tier.yaml", Direction.Ingress, "10.0.1.10", "203.0.113.5", "tcp", 443, false, "https-from-anywhere" },
        { "three-tier.yaml", Direction.Ingress, "10.0.1.10", "203.0.113.5", "tcp", 80, true, null },
        { "three-tier.yaml", Direction.Ingress, "10.0.1.10", "192.0.2.3", "tcp", 22, false, "admin-ssh" },
        { "three-tier.yaml", Direction.Egress, "10.0.1.10", "10.0.2.20", "tcp", 8080, false, "web-to-app" },
        { "three-tier.yaml", Direction.Egress, "10.0.1.10", "10.0.3.5", "tcp", 5432, true, null },
        { "three-tier.yaml", Direction.Ingress, "10.0.2.20", "10.0.1.10", "tcp", 8080, false, "app-from-web" },
        { "three-tier.yaml", Direction.Egress, "10.0.2.20", "10.0.0.53", "udp", 53, false, "shop-dns" },
        { "three-tier.yaml", Direction.Ingress, "10.0.3.5", "10.0.2.77", "icmp", 8, false, "ping-within-shop" },
        // pci-boundary: the boundary beats the allow rule from conf.d; management beats the boundary.
        { "pci-boundary.yaml", Direction.Ingress, "10.20.0.10", "10.1.2.3", "tcp", 9100, true, "pci-zone" },
        { "pci-boundary.yaml", Direction.Ingress, "10.20.0.10", "10.20.0.20", "tcp", 5432, false, "gateway-to-cardholder-db" },
        { "pci-boundary.yaml", Direction.Ingress, "10.20.0.10", "10.99.0.5", "tcp", 22, false, "pci-jump-host-ssh" },
        { "pci-boundary.yaml", Direction.Egress, "10.20.0.10", "198.51.100.1", "udp", 53, true, "pci-zone" },
        // monitor-first: billing enforces, reporting only monitors.
        { "monitor-first.yaml", Direction.Ingress, "10.1.0.10", "172.16.4.4", "tcp", 8050, false, "billing-api-from-office" },
        { "monitor-first.yaml", Direction.Ingress, "10.1.0.10", "172.16.4.4", "tcp", 23, true, "no-telnet-anywhere" },
        { "monitor-first.yaml", Direction.Ingress, "10.1.0.20", "172.16.4.4", "tcp", 23, false, "no-telnet-anywhere" },
        { "monitor-first.yaml", Direction.Ingress, "fd00:1::20", "fd00:10::9", "tcp", 443, false, "reporting-ui" },
        { "monitor-first.yaml", Direction.Ingress, "10.1.0.10", "10.1.0.20", "tcp", 8443, false, "reporting-reads-billing" },
        { "monitor-first.yaml", Direction.Ingress, "10.1.0.10", "203.0.113.9", "tcp", 8443, true, null },
    };

    [PrivilegedTheory]
    [MemberData(nameof(Packets))]
    public void Example_packets_get_the_documented_verdict_and_rule(
        string example, Direction direction, string local, string remote, string protocol, int port, bool dropped, string? rule)
    {
        using LoadedDatapath datapath = LoadedDatapath.Load(Options());
        var applier = new PolicyApplier(new SlotWriter(datapath.Maps), datapath.Options.Capacities);
        PolicyDocument document = CheckExample(example);
        CompiledPolicy policy = applier.Compile(document);
        Assert.Empty(policy.CapacityProblems);
        Assert.True(applier.Apply(document, policy, []).Applied);

        (string src, string dst) = direction == Direction.Ingress ? (remote, local) : (local, remote);
        PacketBuilder packet = PacketBuilder.Ip(src, dst);
        packet = protocol switch
        {
            "tcp" => packet.Tcp(40000, (ushort)port),
            "udp" => packet.Udp(40000, (ushort)port),
            _ => packet.Icmp((byte)port, 0, 7),
        };
        bool wasDropped = FixtureRunner.RunStep(datapath, new FixtureStep(direction, packet.Build()));

        Assert.Equal(dropped, wasDropped);
        Dictionary<string, ulong> counted = policy.Rules
            .Select(r => (r.Name, datapath.Maps.ReadRuleCounter(r.Id).Packets))
            .Where(c => c.Packets > 0)
            .ToDictionary(c => c.Name, c => c.Packets);
        Assert.Equal(rule is null ? [] : new Dictionary<string, ulong> { [rule] = 1 }, counted);
    }

    [PrivilegedFact]
    public void An_oversized_policy_is_refused_whole_and_nothing_is_written()
    {
        // Compiled for roomier maps than the datapath has: the applier checks the image against the datapath's own.
        PolicyDocument document = CheckExample("three-tier.yaml");
        CompiledPolicy policy = new PolicyCompiler().Compile(document, FixtureCapacities.Small);
        Assert.Empty(policy.CapacityProblems);
        using LoadedDatapath datapath = LoadedDatapath.Load(Options() with { Capacities = FixtureCapacities.Small with { PolicyKeysPerSlot = 2 } });
        var applier = new PolicyApplier(new SlotWriter(datapath.Maps), datapath.Options.Capacities);
        PolicyApplyResult result = applier.Apply(document, policy, []);
        Assert.False(result.Applied);
        Diagnostic problem = Assert.Single(result.Problems);
        Assert.Contains("policy keys", problem.Message);
        Assert.EndsWith("three-tier.yaml", problem.File);
        Assert.Null(applier.Live);
        Assert.False(datapath.Maps.Policy.Keys.MoveNext(), "a policy key was written");
        Assert.False(datapath.Maps.LocalEndpoints.Keys.MoveNext(), "an endpoint was written");
    }

    [PrivilegedFact]
    public void Applying_a_changed_policy_compiles_it_from_the_live_one_and_writes_only_the_diff()
    {
        string path = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", "three-tier.yaml");
        string text = File.ReadAllText(path);
        PolicyDocument first = Compile.Document(text, path);
        PolicyDocument changed = Compile.Document(text.Replace("ports: [8080]\n  - name: app-from-web", "ports: [8081]\n  - name: app-from-web"), path);
        using LoadedDatapath datapath = LoadedDatapath.Load(Options());
        var applier = new PolicyApplier(new SlotWriter(datapath.Maps), datapath.Options.Capacities);
        CompiledPolicy before = applier.Compile(first);
        Assert.False(applier.Apply(first, before, []).Incremental);
        // The same policy again fills the other slot, as a daemon's second reload does.
        applier.Apply(first, before, []);
        CompiledPolicy after = applier.Compile(changed);
        Assert.Same(before, after.Basis);
        PolicyApplyResult result = applier.Apply(changed, after, []);
        Assert.True(result.Applied);
        Assert.True(result.Incremental);
        Assert.Same(after, applier.Live);
        ImageDiff diff = ImageDiff.Diff(before, after);
        Assert.Equal(8081, Assert.Single(diff.Ports.Added).Key.Port);
        Assert.Equal(8080, Assert.Single(diff.Ports.Removed).Key.Port);
        Assert.Single(diff.Policies.Changed); // the exact-port filter bit moves
        Assert.Equal(3, diff.Count);
        Assert.Equal(3, result.Written!.Value.Written + result.Written!.Value.Deleted);
    }

    private static PolicyDocument CheckExample(string example)
    {
        string path = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", example);
        PolicyCheckResult result = PolicyChecker.CheckFile(path);
        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        return result.Document!;
    }

    private static DatapathOptions Options() => new()
    {
        ObjectDirectory = Path.GetDirectoryName(ArtifactPaths.BpfObject("xdp_ingress"))!,
        Capacities = FixtureCapacities.Small,
    };
}
