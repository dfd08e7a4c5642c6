using System.Text;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;
using Microseg.Policy.Model;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>
/// Compiling only what some changed rules reach must give exactly the whole compile's image,
/// and say every key under which it differs from the policy it started from: random policies,
/// random edits of a few rules, chained as a daemon would apply them.
/// </summary>
public sealed class IncrementalCompileTests
{
    private static readonly string[] Apps = ["web", "api", "db", "cache"];
    private static readonly string[] Tiers = ["t0", "t1", "t2"];
    private static readonly string[] Protocols = ["tcp", "tcp", "udp", "icmp", "icmpv6", "any"];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Incremental_compiles_of_random_edits_equal_whole_compiles(int seed)
    {
        var random = new Random(seed);
        var policy = new Generator(random);
        var compiler = new PolicyCompiler();
        CompiledPolicy previous = compiler.Compile(Compile.Document(policy.Yaml()), DatapathCapacities.Default);
        int reused = 0;
        for (int edit = 0; edit < 6; edit++)
        {
            policy.EditRules(random.Next(1, 4));
            PolicyDocument document = Compile.Document(policy.Yaml());
            CompiledPolicy incremental = compiler.Compile(document, DatapathCapacities.Default, previous);
            CompiledPolicy whole = compiler.Compile(document, DatapathCapacities.Default);

            AssertSameImage(whole.Image, incremental.Image);
            Assert.Equal(whole.CapacityProblems.Count, incremental.CapacityProblems.Count);
            Assert.Equal(whole.Rules, incremental.Rules);
            if (incremental.Basis is not null)
            {
                reused++;
                Assert.Same(previous, incremental.Basis);
                AssertChangesCover(ImageDiff.Diff(previous.Image, incremental.Image), incremental.ChangesFrom!);
                Assert.Equal(ImageDiff.Diff(previous.Image, whole.Image).ToString(), ImageDiff.Diff(previous, incremental).ToString());
            }

            previous = incremental;
        }

        Assert.True(reused > 0, "no edit was compiled incrementally");
    }

    [Fact]
    public void A_change_outside_the_rules_compiles_whole()
    {
        var policy = new Generator(new Random(7));
        var compiler = new PolicyCompiler();
        CompiledPolicy first = compiler.Compile(Compile.Document(policy.Yaml()), DatapathCapacities.Default);
        policy.ExtraLabel = true;
        CompiledPolicy second = compiler.Compile(Compile.Document(policy.Yaml()), DatapathCapacities.Default, first);
        Assert.Null(second.Basis);
        Assert.Null(second.ChangesFrom);
    }

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (int seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    private static void AssertSameImage(SlotImage expected, SlotImage actual)
    {
        Assert.Equal(expected.DefaultEndpoint, actual.DefaultEndpoint);
        Assert.Equal(expected.UnattributedMode, actual.UnattributedMode);
        Assert.Equal(expected.ToSlotConfig(1), actual.ToSlotConfig(1));
        AssertSame(expected.Endpoints, actual.Endpoints);
        AssertSame(expected.RemoteHosts, actual.RemoteHosts);
        AssertSame(expected.RemotePrefixes, actual.RemotePrefixes);
        AssertSame(expected.Policies, actual.Policies);
        AssertSame(expected.Ports, actual.Ports);
        AssertSame(expected.Ranges, actual.Ranges);

        static void AssertSame<TKey, TValue>(Dictionary<TKey, TValue> e, Dictionary<TKey, TValue> a) where TKey : notnull
        {
            Assert.Equal(e.Count, a.Count);
            foreach ((TKey key, TValue value) in e)
            {
                Assert.True(a.TryGetValue(key, out TValue? other), $"missing {key}");
                Assert.Equal(value, other);
            }
        }
    }

    private static void AssertChangesCover(ImageDiff diff, SlotImageChanges changes)
    {
        Covered(diff.Endpoints, changes.Endpoints);
        Covered(diff.RemoteHosts, changes.RemoteHosts);
        Covered(diff.RemotePrefixes, changes.RemotePrefixes);
        Covered(diff.Policies, changes.Policies);
        Covered(diff.Ports, changes.Ports);
        Covered(diff.Ranges, changes.Ranges);

        static void Covered<TKey, TValue>(MapDiff<TKey, TValue> d, HashSet<TKey> listed) where TKey : notnull
        {
            foreach (TKey key in d.Added.Select(e => e.Key).Concat(d.Removed.Select(e => e.Key)).Concat(d.Changed.Select(c => c.Key)))
            {
                Assert.Contains(key, listed);
            }
        }
    }

    /// <summary>A random valid policy: identities by app and tier, endpoints for some, rules, sometimes a boundary and management.</summary>
    private sealed class Generator
    {
        private readonly Random _random;
        private readonly int _identities;
        private readonly List<string> _rules = [];
        private readonly bool _boundary;
        private readonly bool _management;

        public Generator(Random random)
        {
            _random = random;
            _identities = random.Next(4, 10);
            int rules = random.Next(5, 30);
            for (int r = 0; r < rules; r++)
            {
                _rules.Add(Rule(r));
            }

            _boundary = random.Next(3) == 0;
            _management = random.Next(2) == 0;
        }

        public bool ExtraLabel { get; set; }

        public void EditRules(int count)
        {
            for (int i = 0; i < count; i++)
            {
                int r = _random.Next(_rules.Count);
                _rules[r] = Rule(r);
            }
        }

        public string Yaml()
        {
            var s = new StringBuilder("version: 1\ndefaults: {mode: enforce, ingress: deny, egress: allow}\nidentities:\n");
            for (int i = 0; i < _identities; i++)
            {
                string extra = ExtraLabel && i == 0 ? ", extra: yes" : "";
                s.Append($"  - {{name: id{i}, labels: {{app: {Apps[i % Apps.Length]}, tier: {Tiers[i % Tiers.Length]}{extra}}}, addresses: [10.1.{i}.1, \"fd01:{i}::1\", 10.2.{i}.0/24]}}\n");
            }

            s.Append("endpoints:\n");
            for (int i = 0; i < _identities; i += 2)
            {
                s.Append($"  - {{identity: id{i}, addresses: [10.9.{i}.1, \"fd09::{i + 1}\"]}}\n");
            }

            s.Append("rules:\n");
            foreach (string rule in _rules)
            {
                s.Append(rule);
            }

            if (_boundary)
            {
                s.Append("boundaries:\n  - {name: b-db, between: {matchLabels: {app: db}}, and: {matchLabels: {app: web}}}\n");
            }

            s.Append(_management ? "management:\n  - {name: admin, from: [10.1.1.0/24, 192.0.2.0/24]}\n" : "management: []\n");
            return s.ToString();
        }

        private string Rule(int r)
        {
            string protocol = Protocols[_random.Next(Protocols.Length)];
            string ports = protocol switch
            {
                "tcp" or "udp" => _random.Next(3) switch
                {
                    0 => "",
                    1 => $", ports: [{1 + _random.Next(100)}, \"{200 + _random.Next(50)}-{260 + _random.Next(50)}\"]",
                    _ => $", ports: [{1 + _random.Next(20)}]",
                },
                "icmp" or "icmpv6" => _random.Next(2) == 0 ? "" : $", icmpTypes: [{_random.Next(9)}]",
                _ => "",
            };
            // Names stay, so an edit may change nothing but a port: the compile must see it in the text.
            return $"  - {{name: r{r}, action: {(_random.Next(4) == 0 ? "deny" : "allow")}, direction: {(_random.Next(2) == 0 ? "ingress" : "egress")}, " +
                $"local: {Selector()}, peer: {Selector()}, protocol: {protocol}{ports}}}\n";
        }

        private string Selector() => _random.Next(5) switch
        {
            0 => "{any: true}",
            1 => $"{{identity: id{_random.Next(_identities)}}}",
            2 => $"{{matchLabels: {{tier: {Tiers[_random.Next(Tiers.Length)]}}}}}",
            3 => $"{{matchExpressions: [{{key: app, operator: NotIn, values: [{Apps[_random.Next(Apps.Length)]}]}}]}}",
            _ => $"{{matchLabels: {{app: {Apps[_random.Next(Apps.Length)]}}}}}",
        };
    }
}
