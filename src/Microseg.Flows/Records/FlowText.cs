using Microseg.Datapath.Abi;
using Microseg.Policy.Model;

namespace Microseg.Flows.Records;

/// <summary>The words flow files and reports use for the kernel's numbers, and back.</summary>
public static class FlowText
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte IcmpV6 = 58;

    /// <summary>"tcp", "udp", "icmp", "icmpv6", or the number for any other protocol.</summary>
    public static string Protocol(byte protocol) => protocol switch
    {
        Tcp => "tcp",
        Udp => "udp",
        Icmp => "icmp",
        IcmpV6 => "icmpv6",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The inverse of <see cref="Protocol(byte)"/>; false for anything else.</summary>
    public static bool TryParseProtocol(string text, out byte protocol)
    {
        protocol = text switch { "tcp" => Tcp, "udp" => Udp, "icmp" => Icmp, "icmpv6" => IcmpV6, _ => 0 };
        return protocol != 0 || (byte.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out protocol) && protocol != 0);
    }

    /// <summary>True for tcp and udp: the policy port is a destination port.</summary>
    public static bool HasPorts(byte protocol) => protocol is Tcp or Udp;

    /// <summary>True for icmp and icmpv6: the policy port is an ICMP type.</summary>
    public static bool IsIcmp(byte protocol) => protocol is Icmp or IcmpV6;

    /// <summary>"tcp/443", "icmp type 8", or the protocol alone.</summary>
    public static string Service(byte protocol, ushort policyPort) => protocol switch
    {
        Tcp or Udp => $"{Protocol(protocol)}/{policyPort}",
        Icmp or IcmpV6 => $"{Protocol(protocol)} type {policyPort}",
        _ => $"protocol {Protocol(protocol)}",
    };

    public static bool TryParseDirection(string text, out Datapath.Abi.Direction direction)
    {
        direction = text == "egress" ? Datapath.Abi.Direction.Egress : Datapath.Abi.Direction.Ingress;
        return text is "ingress" or "egress";
    }

    public static string Kind(FlowEventKind kind) => kind switch
    {
        FlowEventKind.NewFlow => "new_flow",
        FlowEventKind.Deny => "deny",
        FlowEventKind.WouldDeny => "would_deny",
        FlowEventKind.FlowEnd => "flow_end",
        FlowEventKind.DenySummary => "deny_summary",
        _ => ((byte)kind).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static bool TryParseKind(string text, out FlowEventKind kind)
    {
        kind = text switch
        {
            "new_flow" => FlowEventKind.NewFlow,
            "deny" => FlowEventKind.Deny,
            "would_deny" => FlowEventKind.WouldDeny,
            "flow_end" => FlowEventKind.FlowEnd,
            "deny_summary" => FlowEventKind.DenySummary,
            _ => 0,
        };
        return kind != 0;
    }

    public static string Verdict(Verdict verdict) => verdict switch
    {
        Datapath.Abi.Verdict.Allow => "allow",
        Datapath.Abi.Verdict.Deny => "deny",
        Datapath.Abi.Verdict.WouldDeny => "would_deny",
        Datapath.Abi.Verdict.Unenforced => "unenforced",
        _ => ((byte)verdict).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static bool TryParseVerdict(string text, out Verdict verdict)
    {
        verdict = text switch
        {
            "allow" => Datapath.Abi.Verdict.Allow,
            "deny" => Datapath.Abi.Verdict.Deny,
            "would_deny" => Datapath.Abi.Verdict.WouldDeny,
            "unenforced" => Datapath.Abi.Verdict.Unenforced,
            _ => 0,
        };
        return verdict != 0;
    }

    private static readonly string[] ReasonNames =
    [
        "", "policy_rule", "policy_default", "established", "related", "policy_revoked", "malformed",
        "fragment", "fragment_untracked", "endpoint_off", "not_ip", "neighbor_discovery",
    ];

    public static string Reason(VerdictReason reason) =>
        (int)reason is > 0 and < 12 ? ReasonNames[(int)reason] : ((byte)reason).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParseReason(string text, out VerdictReason reason)
    {
        int index = Array.IndexOf(ReasonNames, text);
        reason = (VerdictReason)Math.Max(index, 0);
        return index > 0;
    }
}
