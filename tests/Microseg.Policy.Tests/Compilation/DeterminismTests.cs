using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>Same document, same image; and orders the docs call meaningless change nothing.</summary>
public sealed class DeterminismTests
{
    private static readonly string[] Examples = ["three-tier.yaml", "pci-boundary.yaml", "monitor-first.yaml"];

    [Fact]
    public void Compiling_twice_gives_identical_entries_in_every_map()
    {
        foreach (string example in Examples)
        {
            string path = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", example);
            PolicyCheckResult checkedFile = PolicyChecker.CheckFile(path);
            Assert.True(checkedFile.IsValid, example);
            var compiler = new PolicyCompiler();
            SlotImage a = compiler.Compile(checkedFile.Document!, Datapath.Loading.DatapathCapacities.Default).Image;
            SlotImage b = compiler.Compile(PolicyChecker.CheckFile(path).Document!, Datapath.Loading.DatapathCapacities.Default).Image;
            AssertSame(a, b);
            Assert.NotEmpty(a.Policies);
        }
    }

    [Fact]
    public void Order_of_identities_endpoints_addresses_labels_and_ports_does_not_matter()
    {
        const string rules = """
            rules:
              - name: in
                action: allow
                direction: ingress
                local: {matchLabels: {app: web}}
                peer: {matchLabels: {tier: back}}
                protocol: tcp
                ports: [443, "8000-8100", 22, "8050-8200"]
            management:
              - name: admin
                from: [192.0.2.0/24, 10.9.9.9]
            """;
        CompiledPolicy a = Compile.Text("""
            version: 1
            identities:
              - name: web
                labels: {app: web, tier: front}
                addresses: [10.0.1.10, 10.0.1.11]
              - name: db
                labels: {app: db, tier: back}
                addresses: [10.0.2.0/24, "2001:db8::/64"]
              - name: cache
                labels: {tier: back, app: cache}
                addresses: [10.0.3.3]
            endpoints:
              - identity: web
                addresses: [10.0.1.10, 10.0.1.11]
              - identity: cache
                addresses: [10.0.3.3]

            """ + rules);
        CompiledPolicy b = Compile.Text("""
            version: 1
            identities:
              - name: cache
                labels: {app: cache, tier: back}
                addresses: [10.0.3.3]
              - name: db
                labels: {tier: back, app: db}
                addresses: ["2001:db8::/64", 10.0.2.0/24]
              - name: web
                labels: {tier: front, app: web}
                addresses: [10.0.1.11, 10.0.1.10]
            endpoints:
              - identity: cache
                addresses: [10.0.3.3]
              - identity: web
                addresses: [10.0.1.11, 10.0.1.10]

            """ + rules.Replace("[443, \"8000-8100\", 22, \"8050-8200\"]", "[\"8050-8200\", 22, \"8000-8100\", 443]").Replace("[192.0.2.0/24, 10.9.9.9]", "[10.9.9.9, 192.0.2.0/24]"));
        AssertSame(a.Image, b.Image);
        Assert.Equal(a.Identities, b.Identities, (x, y) => x.Id == y.Id && x.Name == y.Name && x.Addresses.SequenceEqual(y.Addresses));
        Assert.True(ImageDiff.Diff(a.Image, b.Image).IsEmpty);
    }

    internal static void AssertSame(SlotImage a, SlotImage b)
    {
        Assert.Equal(a.DefaultEndpoint, b.DefaultEndpoint);
        Assert.Equal(a.UnattributedMode, b.UnattributedMode);
        Same(a.Endpoints, b.Endpoints);
        Same(a.RemoteHosts, b.RemoteHosts);
        Same(a.RemotePrefixes, b.RemotePrefixes);
        Same(a.Policies, b.Policies);
        Same(a.Ports, b.Ports);
        Same(a.Ranges, b.Ranges);

        static void Same<TKey, TValue>(Dictionary<TKey, TValue> x, Dictionary<TKey, TValue> y) where TKey : notnull
        {
            Assert.Equal(x.Count, y.Count);
            foreach ((TKey key, TValue value) in x)
            {
                Assert.True(y.TryGetValue(key, out TValue? other), $"missing {key}");
                Assert.Equal(value, other);
            }
        }
    }
}
