using Microseg.Policy.Model;

namespace Microseg.Policy.Diff;

/// <summary>One line saying what an entry is, for entries added or removed (and the new form of changed ones).</summary>
internal static class EntrySummary
{
    /// <summary><c>labels {app=shop}; addresses 10.0.1.10, 10.0.2.0/24</c>.</summary>
    public static string Of(IdentityDefinition identity) =>
        $"labels {Canonical.Labels(identity.Labels)}; addresses {Canonical.Join(Canonical.Addresses(identity.Addresses), "none")}";

    /// <summary><c>10.0.1.10; mode enforce, ingress deny, egress allow</c>.</summary>
    public static string Of(LocalEndpoint endpoint) =>
        $"{Canonical.Join(Canonical.Addresses(endpoint.Addresses), "no addresses")}; mode {Canonical.Word(endpoint.Mode)}, " +
        $"ingress {Canonical.Word(endpoint.Ingress)}, egress {Canonical.Word(endpoint.Egress)}";

    /// <summary><c>allow ingress tcp ports 443; local {tier=web}; peer any</c>.</summary>
    public static string Of(PolicyRule rule) =>
        $"{Canonical.Word(rule.Action)} {Canonical.Word(rule.Direction)} {Traffic(rule.Protocol, rule.Ports, rule.IcmpTypes)}; " +
        $"local {Canonical.Selector(rule.Local)}; peer {Canonical.Selector(rule.Peer)}";

    /// <summary><c>between {zone=pci} and {zone NotIn [pci]}</c>.</summary>
    public static string Of(Boundary boundary) =>
        $"between {Canonical.Selector(boundary.Between)} and {Canonical.Selector(boundary.And)}";

    /// <summary><c>from 192.0.2.0/28; tcp ports 22; local any</c>.</summary>
    public static string Of(ManagementAccess management) =>
        $"from {Canonical.Join(Canonical.Addresses(management.From), "nowhere")}; {Traffic(management.Protocol, management.Ports, [])}; " +
        $"local {Canonical.Selector(management.Local)}";

    // "tcp ports 443", "udp" (every port), "icmp types 8", "any protocol".
    private static string Traffic(Protocol protocol, IReadOnlyList<PortRange> ports, IReadOnlyList<PortRange> icmpTypes)
    {
        if (protocol == Protocol.Any)
        {
            return "any protocol";
        }

        string word = Canonical.Word(protocol);
        if (ports.Count > 0)
        {
            return $"{word} ports {Canonical.Join(Canonical.Ranges(ports), "any")}";
        }

        return icmpTypes.Count > 0 ? $"{word} types {Canonical.Join(Canonical.Ranges(icmpTypes), "any")}" : word;
    }
}
