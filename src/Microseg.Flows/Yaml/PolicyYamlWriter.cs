using System.Text;
using System.Text.RegularExpressions;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;
using PortRange = Microseg.Policy.Model.PortRange;

namespace Microseg.Flows.Yaml;

/// <summary>
/// Writes a <see cref="PolicyDocument"/> as one policy file in the format of docs/policy.md
/// (includes are folded in: every entry lands in the one file), with an optional comment above
/// any rule and a header. What it writes reads back to the same document.
/// </summary>
public static partial class PolicyYamlWriter
{
    public static string Write(PolicyDocument document, IReadOnlyDictionary<string, string>? ruleComments = null, IEnumerable<string>? header = null)
    {
        var y = new StringBuilder();
        foreach (string line in header ?? [])
        {
            y.Append("# ").Append(line).Append('\n');
        }

        PolicyDefaults d = document.Defaults;
        y.Append("version: 1\ndefaults:\n");
        y.Append($"  mode: {Mode(d.Mode)}\n  ingress: {Action(d.Ingress)}\n  egress: {Action(d.Egress)}\n");

        if (document.Identities.Count > 0)
        {
            y.Append("\nidentities:\n");
            foreach (IdentityDefinition identity in document.Identities)
            {
                y.Append($"  - name: {Scalar(identity.Name)}\n");
                if (identity.Labels.Count > 0)
                {
                    y.Append($"    labels: {Labels(identity.Labels)}\n");
                }

                if (identity.Addresses.Count > 0)
                {
                    y.Append($"    addresses: [{string.Join(", ", identity.Addresses.Select(a => Scalar(a.ToString())))}]\n");
                }
            }
        }

        if (document.Endpoints.Count > 0)
        {
            y.Append("\nendpoints:\n");
            foreach (LocalEndpoint endpoint in document.Endpoints)
            {
                y.Append($"  - identity: {Scalar(endpoint.Identity)}\n");
                y.Append($"    addresses: [{string.Join(", ", endpoint.Addresses.Select(a => Scalar(a.ToString())))}]\n");
                if (endpoint.Mode != d.Mode)
                {
                    y.Append($"    mode: {Mode(endpoint.Mode)}\n");
                }

                if (endpoint.Ingress != d.Ingress)
                {
                    y.Append($"    ingress: {Action(endpoint.Ingress)}\n");
                }

                if (endpoint.Egress != d.Egress)
                {
                    y.Append($"    egress: {Action(endpoint.Egress)}\n");
                }
            }
        }

        if (document.Rules.Count > 0)
        {
            y.Append("\nrules:\n");
            foreach (PolicyRule rule in document.Rules)
            {
                if (ruleComments is not null && ruleComments.TryGetValue(rule.Name, out string? comment))
                {
                    foreach (string line in comment.Split('\n'))
                    {
                        y.Append("  # ").Append(line).Append('\n');
                    }
                }

                y.Append($"  - name: {Scalar(rule.Name)}\n    action: {Action(rule.Action)}\n");
                y.Append($"    direction: {rule.Direction.Name()}\n");
                y.Append($"    local: {Selector(rule.Local)}\n    peer: {Selector(rule.Peer)}\n");
                y.Append($"    protocol: {ProtocolName(rule.Protocol)}\n");
                if (rule.Ports.Count > 0)
                {
                    y.Append($"    ports: {Ranges(rule.Ports)}\n");
                }

                if (rule.IcmpTypes.Count > 0)
                {
                    y.Append($"    icmpTypes: {Ranges(rule.IcmpTypes)}\n");
                }
            }
        }

        if (document.Boundaries.Count > 0)
        {
            y.Append("\nboundaries:\n");
            foreach (Boundary b in document.Boundaries)
            {
                y.Append($"  - name: {Scalar(b.Name)}\n    between: {Selector(b.Between)}\n    and: {Selector(b.And)}\n");
            }
        }

        if (document.ManagementDeclared || document.Management.Count > 0)
        {
            y.Append(document.Management.Count == 0 ? "\nmanagement: []\n" : "\nmanagement:\n");
            foreach (ManagementAccess m in document.Management)
            {
                y.Append($"  - name: {Scalar(m.Name)}\n    from: [{string.Join(", ", m.From.Select(a => Scalar(a.ToString())))}]\n");
                y.Append($"    protocol: {ProtocolName(m.Protocol)}\n");
                if (m.Ports.Count > 0)
                {
                    y.Append($"    ports: {Ranges(m.Ports)}\n");
                }

                y.Append($"    local: {Selector(m.Local)}\n");
            }
        }

        return y.ToString();
    }

    /// <summary>A selector in flow style: <c>{identity: web}</c>, <c>{any: true}</c>, <c>{matchLabels: {tier: web}}</c>.</summary>
    public static string Selector(Selector selector)
    {
        if (selector.Any)
        {
            return "{any: true}";
        }

        if (selector.Identity is not null)
        {
            return $"{{identity: {Scalar(selector.Identity)}}}";
        }

        var parts = new List<string>();
        if (selector.MatchLabels.Count > 0)
        {
            parts.Add($"matchLabels: {Labels(selector.MatchLabels)}");
        }

        if (selector.MatchExpressions.Count > 0)
        {
            parts.Add("matchExpressions: [" + string.Join(", ", selector.MatchExpressions.Select(e =>
                e.Operator == SelectorOperator.Exists
                    ? $"{{key: {Scalar(e.Key)}, operator: Exists}}"
                    : $"{{key: {Scalar(e.Key)}, operator: {e.Operator}, values: [{string.Join(", ", e.Values.Select(Scalar))}]}}")) + "]");
        }

        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary><c>[443, "8000-8099"]</c>: ranges are quoted, as the file format writes them.</summary>
    public static string Ranges(IEnumerable<PortRange> ranges) =>
        "[" + string.Join(", ", ranges.Select(r => r.First == r.Last ? $"{r.First}" : $"\"{r.First}-{r.Last}\"")) + "]";

    private static string Labels(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{Scalar(l.Key)}: {Scalar(l.Value)}")) + "}";

    /// <summary>A plain scalar when YAML reads it back as the same string, else double-quoted.</summary>
    public static string Scalar(string text) =>
        PlainPattern().IsMatch(text) && !Reserved.Contains(text.ToLowerInvariant()) && !NumberPattern().IsMatch(text)
            ? text
            : System.Text.Json.Nodes.JsonValue.Create(text).ToJsonString(); // reflection-free, for Native AOT

    // Words YAML 1.1 readers take for booleans or null.
    private static readonly HashSet<string> Reserved = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"];

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex PlainPattern();

    [GeneratedRegex(@"^[0-9._-]+$|^0x|^[0-9]+e", RegexOptions.IgnoreCase)]
    private static partial Regex NumberPattern();

    private static string Mode(EndpointMode mode) => mode.ToString().ToLowerInvariant();

    private static string Action(RuleAction action) => action == RuleAction.Allow ? "allow" : "deny";

    public static string ProtocolName(Protocol protocol) => protocol switch
    {
        Protocol.Tcp => "tcp",
        Protocol.Udp => "udp",
        Protocol.Icmp => "icmp",
        Protocol.IcmpV6 => "icmpv6",
        _ => "any",
    };
}
