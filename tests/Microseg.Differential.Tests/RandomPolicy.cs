using System.Text;

namespace Microseg.Differential.Tests;

/// <summary>
/// A random policy written as YAML, from a seed: a few identities with labels, host addresses
/// and overlapping prefixes (IPv4 and IPv6), local endpoints in every mode, allow and deny
/// rules between every kind of selector, sometimes a boundary and management access. The
/// address universe is small on purpose, so packets keep hitting the interesting cases.
/// </summary>
public sealed class RandomPolicy
{
    private static readonly string[] Tiers = ["web", "app", "db"];
    private static readonly string[] Envs = ["prod", "dev"];
    private static readonly string[] Zones = ["pci", "corp"];
    private static readonly string[] Modes = ["off", "monitor", "enforce", "enforce"];
    private static readonly string[] Protocols = ["tcp", "tcp", "udp", "icmp", "icmpv6", "any"];
    public static readonly ushort[] InterestingPorts = [22, 53, 80, 443, 5432, 8080, 8443, 9000];

    public required string Yaml { get; init; }
    /// <summary>Local endpoint addresses (both families), for packet generation.</summary>
    public required IReadOnlyList<string> LocalAddresses { get; init; }
    /// <summary>Remote addresses worth sending from: identity hosts, members of prefixes, management sources, world.</summary>
    public required IReadOnlyList<string> RemoteAddresses { get; init; }

    public static RandomPolicy Generate(Random random)
    {
        var yaml = new StringBuilder();
        var locals = new List<string>();
        var remotes = new List<string> { "203.0.113.7", "2001:db8:ffff::7" };
        var identityCount = random.Next(2, 6);
        var names = Enumerable.Range(0, identityCount).Select(i => $"id{i}").ToArray();

        yaml.AppendLine("version: 1");
        yaml.AppendLine("defaults:");
        yaml.AppendLine($"  mode: {Pick(random, Modes)}");
        yaml.AppendLine($"  ingress: {(random.Next(4) == 0 ? "allow" : "deny")}");
        yaml.AppendLine($"  egress: {(random.Next(3) == 0 ? "deny" : "allow")}");
        yaml.AppendLine("identities:");
        for (var i = 0; i < identityCount; i++)
        {
            yaml.AppendLine($"  - name: {names[i]}");
            var labels = new List<string>();
            if (random.Next(4) != 0) labels.Add($"tier: {Pick(random, Tiers)}");
            if (random.Next(2) == 0) labels.Add($"env: {Pick(random, Envs)}");
            if (random.Next(3) == 0) labels.Add($"zone: {Pick(random, Zones)}");
            yaml.AppendLine($"    labels: {{{string.Join(", ", labels)}}}");
            var addresses = new List<string>();
            // Identity i owns 10.77.i.0/24 and fd77:i::/64 space; one identity may take the
            // whole 10.77.0.0/16, so longest-prefix matching decides between them.
            if (random.Next(2) == 0) { addresses.Add($"10.77.{i}.{10 + random.Next(5)}"); }
            if (random.Next(2) == 0) { addresses.Add($"10.77.{i}.0/24"); remotes.Add($"10.77.{i}.{100 + random.Next(100)}"); }
            if (random.Next(3) == 0) { addresses.Add($"\"fd77:{i}::{10 + random.Next(5)}\""); }
            if (random.Next(3) == 0) { addresses.Add($"\"fd77:{i}::/64\""); remotes.Add($"fd77:{i}::{100 + random.Next(100):x}"); }
            if (i == 0 && random.Next(3) == 0) { addresses.Add("10.77.0.0/16"); remotes.Add($"10.77.{50 + random.Next(50)}.1"); }
            foreach (var a in addresses.Where(a => !a.Contains('/')))
                remotes.Add(a.Trim('"'));
            yaml.AppendLine($"    addresses: [{string.Join(", ", addresses.Distinct())}]");
        }

        yaml.AppendLine("endpoints:");
        var endpointCount = random.Next(1, 4);
        for (var e = 0; e < endpointCount; e++)
        {
            var identity = random.Next(5) == 0 ? "host" : Pick(random, names);
            var addresses = new List<string> { $"10.99.{e}.1" };
            if (random.Next(2) == 0) addresses.Add($"\"fd99::{e + 1}\"");
            locals.AddRange(addresses.Select(a => a.Trim('"')));
            yaml.AppendLine($"  - identity: {identity}");
            yaml.AppendLine($"    addresses: [{string.Join(", ", addresses)}]");
            if (random.Next(2) == 0) yaml.AppendLine($"    mode: {Pick(random, Modes)}");
            if (random.Next(3) == 0) yaml.AppendLine($"    ingress: {(random.Next(2) == 0 ? "allow" : "deny")}");
            if (random.Next(3) == 0) yaml.AppendLine($"    egress: {(random.Next(2) == 0 ? "allow" : "deny")}");
        }

        var ruleCount = random.Next(1, 9);
        yaml.AppendLine("rules:");
        for (var r = 0; r < ruleCount; r++)
        {
            var protocol = Pick(random, Protocols);
            yaml.AppendLine($"  - name: rule{r}");
            yaml.AppendLine($"    action: {(random.Next(3) == 0 ? "deny" : "allow")}");
            yaml.AppendLine($"    direction: {(random.Next(2) == 0 ? "ingress" : "egress")}");
            yaml.AppendLine($"    local: {Selector(random, names, allowReserved: false)}");
            yaml.AppendLine($"    peer: {Selector(random, names, allowReserved: true)}");
            yaml.AppendLine($"    protocol: {protocol}");
            if (protocol is "tcp" or "udp" && random.Next(4) != 0)
                yaml.AppendLine($"    ports: [{Ports(random)}]");
            if (protocol is "icmp" or "icmpv6" && random.Next(2) == 0)
                yaml.AppendLine(protocol == "icmp" ? "    icmpTypes: [8]" : "    icmpTypes: [128]");
        }

        if (identityCount >= 2 && random.Next(3) == 0)
        {
            yaml.AppendLine("boundaries:");
            yaml.AppendLine("  - name: boundary0");
            yaml.AppendLine($"    between: {{identity: {names[0]}}}");
            yaml.AppendLine($"    and: {{identity: {names[1]}}}");
        }
        if (random.Next(3) == 0)
        {
            yaml.AppendLine("management:");
            yaml.AppendLine("  - name: admin-ssh");
            yaml.AppendLine("    from: [10.77.200.0/24]");
            remotes.Add($"10.77.200.{1 + random.Next(200)}");
        }
        else
        {
            yaml.AppendLine("management: []");
        }
        return new RandomPolicy { Yaml = yaml.ToString(), LocalAddresses = locals, RemoteAddresses = remotes.Distinct().ToList() };
    }

    /// <summary>
    /// The same policy with one change an operator makes: a rule removed, a rule's action
    /// flipped, or the default mode switched. Flows opened under the old one are re-judged.
    /// </summary>
    public string Mutate(Random random)
    {
        var lines = Yaml.Split('\n').ToList();
        var ruleStarts = lines.Select((line, i) => (line, i)).Where(x => x.line.StartsWith("  - name: rule")).Select(x => x.i).ToList();
        switch (random.Next(3))
        {
            case 0 when ruleStarts.Count > 1:
            {
                var start = ruleStarts[random.Next(ruleStarts.Count)];
                var end = start + 1;
                while (end < lines.Count && lines[end].StartsWith("    "))
                    end++;
                lines.RemoveRange(start, end - start);
                break;
            }
            case 1 when ruleStarts.Count > 0:
            {
                var action = ruleStarts[random.Next(ruleStarts.Count)] + 1;
                lines[action] = lines[action].Contains("allow") ? "    action: deny" : "    action: allow";
                break;
            }
            default:
            {
                var mode = lines.FindIndex(l => l.StartsWith("  mode: "));
                lines[mode] = lines[mode] == "  mode: enforce" ? "  mode: monitor" : "  mode: enforce";
                break;
            }
        }
        return string.Join('\n', lines);
    }

    private static string Selector(Random random, string[] names, bool allowReserved) => random.Next(6) switch
    {
        0 => "{any: true}",
        1 when allowReserved => $"{{identity: {(random.Next(2) == 0 ? "world" : "host")}}}",
        1 or 2 => $"{{identity: {Pick(random, names)}}}",
        3 => $"{{matchLabels: {{tier: {Pick(random, Tiers)}}}}}",
        4 => $"{{matchExpressions: [{{key: env, operator: {(random.Next(2) == 0 ? "In" : "NotIn")}, values: [{Pick(random, Envs)}]}}]}}",
        _ => "{matchExpressions: [{key: zone, operator: Exists}]}",
    };

    private static string Ports(Random random) => random.Next(4) switch
    {
        0 => "\"8000-8999\"",
        1 => "\"1-1024\"",
        2 => $"{Pick(random, InterestingPorts)}, {Pick(random, InterestingPorts)}",
        _ => $"{Pick(random, InterestingPorts)}",
    };

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
