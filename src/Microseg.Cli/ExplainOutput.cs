using System.Text.Encodings.Web;
using Microseg.Policy.Evaluation;
using Microseg.Datapath.Abi;

namespace Microseg.Cli;

/// <summary>Renders <c>policy explain</c>: a few aligned lines for a person, or one JSON object.</summary>
internal static class ExplainOutput
{
    /// <summary>verdict, rule, packet, endpoint, peer, then the explanation.</summary>
    public static string Text(PacketFacts packet, Judgement j)
    {
        var lines = new List<(string Key, string Value)>
        {
            ("packet", Describe(packet)),
            ("verdict", $"{Outcome(j.Outcome)} ({Reason(j.Reason)})"),
            ("rule", j.RuleName is null ? "none (no rule decides)" : $"{j.RuleName} ({j.RuleKind}) at {j.RulePosition}"),
            ("endpoint", j.LocalIdentity is null ? "none" : $"{j.LocalIdentity} (mode {j.Mode?.ToString().ToLowerInvariant()})"),
            ("peer", j.PeerIdentity ?? "not looked up"),
            ("why", j.Explanation),
        };
        int width = lines.Max(l => l.Key.Length) + 2;
        return string.Join('\n', lines.Select(l => (l.Key + ":").PadRight(width) + l.Value));
    }

    /// <summary><c>{file, packet: {…}, outcome, reason, rule: {name, kind, file, line, column} | null, endpoint, mode, peer, explanation}</c>.</summary>
    public static string Json(string file, PacketFacts packet, Judgement j)
    {
        var document = new Dictionary<string, object?>
        {
            ["file"] = file,
            ["packet"] = new Dictionary<string, object?>
            {
                ["from"] = packet.Source.ToString(),
                ["to"] = packet.Destination.ToString(),
                ["direction"] = packet.Direction.Name(),
                ["protocol"] = packet.Protocol,
                ["port"] = packet.Protocol is 6 or 17 ? packet.DestinationPort : null,
                ["icmpType"] = packet.Protocol is 1 or 58 ? packet.IcmpType : null,
            },
            ["outcome"] = Outcome(j.Outcome),
            ["reason"] = Reason(j.Reason),
            ["rule"] = j.RuleName is null ? null : new Dictionary<string, object?>
            {
                ["name"] = j.RuleName,
                ["kind"] = j.RuleKind,
                ["file"] = j.RulePosition?.File,
                ["line"] = j.RulePosition?.Line,
                ["column"] = j.RulePosition?.Column,
            },
            ["endpoint"] = j.LocalIdentity,
            ["mode"] = j.Mode?.ToString().ToLowerInvariant(),
            ["peer"] = j.PeerIdentity,
            ["explanation"] = j.Explanation,
        };
        return JsonTree.Write(document, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    private static string Describe(PacketFacts p)
    {
        string direction = p.Direction.Name();
        string what = p.Protocol switch
        {
            6 => $"tcp port {p.DestinationPort} (SYN)",
            17 => $"udp port {p.DestinationPort}",
            1 => $"icmp type {p.IcmpType}",
            58 => $"icmpv6 type {p.IcmpType}",
            _ => $"protocol {p.Protocol}",
        };
        return $"{direction} {p.Source} -> {p.Destination}, {what}";
    }

    private static string Outcome(Verdict outcome) => outcome switch
    {
        Verdict.Allow => "allow",
        Verdict.Deny => "deny",
        Verdict.WouldDeny => "would deny",
        _ => "unenforced",
    };

    private static string Reason(VerdictReason reason) => reason switch
    {
        VerdictReason.PolicyRule => "rule",
        VerdictReason.PolicyDefault => "endpoint default",
        VerdictReason.Established => "established flow",
        VerdictReason.Related => "related to a flow",
        VerdictReason.PolicyRevoked => "policy revoked",
        VerdictReason.Malformed => "malformed",
        VerdictReason.Fragment => "fragment",
        VerdictReason.FragmentUntracked => "untracked fragment",
        VerdictReason.EndpointOff => "not enforced here",
        VerdictReason.NotIp => "not IP",
        _ => "neighbor discovery",
    };
}
