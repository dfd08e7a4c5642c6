using System.Globalization;
using System.Text;

namespace Microseg.Bench.Policy;

/// <summary>
/// A fleet-wide policy of the size the issue asks for, written to disk the way a
/// configuration manager would: a main file with identities, this host's endpoints and
/// management, and the rules spread over conf.d files (one file would pass the 16 MiB limit).
/// Deterministic (seeded), so every run measures the same policy.
/// </summary>
/// <remarks>
/// Identities <c>svc-NNNNN</c> carry labels app (10 identities per app), tier (t0..t9) and env;
/// each has an IPv4 and an IPv6 host address, every tenth also a /24. The first
/// <see cref="LocalIdentities"/> identities have endpoints on this host. Rules pick a local
/// identity by app and tier and peers by app (10 identities), TCP or UDP, single ports and
/// ranges; one in a hundred is a deny, one in a thousand allows from any peer. Most rules are
/// for other hosts' workloads: the compiler must skip them cheaply.
/// </remarks>
internal sealed class GeneratedPolicy
{
    public const int LocalIdentities = 200;
    private const int RuleFiles = 4;

    public GeneratedPolicy(int identities, int rules)
    {
        Identities = identities;
        Rules = rules;
    }

    public int Identities { get; }

    public int Rules { get; }

    /// <summary>The name of the rule <see cref="WriteTo"/> changes when asked for a variant: a rule this host compiles.</summary>
    public string ChangedRuleName => RuleName(ChangedRuleIndex);

    private int ChangedRuleIndex => 0;

    /// <summary>Writes the policy under <paramref name="directory"/>; returns the main file. <paramref name="variant"/> changes one rule's port.</summary>
    public string WriteTo(string directory, int variant = 0)
    {
        Directory.CreateDirectory(Path.Combine(directory, "conf.d"));
        string main = Path.Combine(directory, "policy.yaml");
        File.WriteAllText(main, MainFile());
        int perFile = (Rules + RuleFiles - 1) / RuleFiles;
        for (int f = 0; f < RuleFiles; f++)
        {
            File.WriteAllText(Path.Combine(directory, "conf.d", $"{f:D2}-rules.yaml"),
                RuleFile(f * perFile, Math.Min(Rules, (f + 1) * perFile), variant));
        }

        return main;
    }

    private string MainFile()
    {
        var s = new StringBuilder(Identities * 120);
        s.Append("version: 1\ninclude: conf.d\ndefaults: {mode: enforce, ingress: deny, egress: allow}\nidentities:\n");
        for (int i = 0; i < Identities; i++)
        {
            s.Append(CultureInfo.InvariantCulture,
                $"  - {{name: svc-{i:D5}, labels: {{app: app-{i / 10}, tier: t{i % 10}, env: {(i % 3 == 0 ? "staging" : "prod")}}}, addresses: [{V4(i)}, \"2001:db8:{i:x}::1\"");
            if (i % 10 == 0)
            {
                s.Append(CultureInfo.InvariantCulture, $", 100.{i / 10 / 256}.{i / 10 % 256}.0/24");
            }

            s.Append("]}\n");
        }

        s.Append("endpoints:\n");
        for (int i = 0; i < Math.Min(LocalIdentities, Identities); i++)
        {
            s.Append(CultureInfo.InvariantCulture, $"  - {{identity: svc-{i:D5}, addresses: [{V4(i)}]}}\n");
        }

        s.Append("management:\n  - {name: admin-ssh, from: [192.0.2.0/24]}\n");
        return s.ToString();
    }

    private string RuleFile(int first, int last, int variant)
    {
        var s = new StringBuilder((last - first) * 160);
        s.Append("rules:\n");
        var random = new Random(first + 1);
        int apps = Math.Max(1, Identities / 10);
        for (int j = first; j < last; j++)
        {
            // Rule 0 is always this host's, so the one-rule change changes the image.
            int localApp = j == ChangedRuleIndex ? 0 : random.Next(apps);
            int localTier = random.Next(10);
            int peerApp = random.Next(apps);
            bool deny = random.Next(100) == 0;
            bool anyPeer = random.Next(1000) == 0;
            bool udp = random.Next(5) == 0;
            string ports = Ports(random, j == ChangedRuleIndex ? variant : 0);
            s.Append(CultureInfo.InvariantCulture,
                $"  - {{name: {RuleName(j)}, action: {(deny ? "deny" : "allow")}, direction: {(j % 2 == 0 ? "ingress" : "egress")}, " +
                $"local: {{matchLabels: {{app: app-{localApp}, tier: t{localTier}}}}}, " +
                $"peer: {(anyPeer ? "{any: true}" : $"{{matchLabels: {{app: app-{peerApp}}}}}")}, protocol: {(udp ? "udp" : "tcp")}, ports: [{ports}]}}\n");
        }

        return s.ToString();
    }

    private static string Ports(Random random, int variant)
    {
        int kind = random.Next(4);
        int port = 1000 + random.Next(60000) + variant;
        return kind switch
        {
            0 => $"{port}",
            1 => $"{port}, {port + 7}",
            2 => $"\"{port}-{port + 99}\"",
            _ => $"{port}, \"{port + 200}-{port + 299}\"",
        };
    }

    private static string RuleName(int j) => $"r-{j:D6}";

    private static string V4(int i) => $"10.{i / 250 / 250}.{i / 250 % 250}.{i % 250 + 1}";
}
