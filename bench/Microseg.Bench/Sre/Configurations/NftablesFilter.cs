using System.Text;

namespace Microseg.Bench.Sre.Configurations;

/// <summary>
/// nft_set and nft_linear: nftables in the receiver's namespace, an input chain with policy
/// drop that accepts the rules' (source address, UDP port) pairs — as one concatenated set
/// lookup (nft_set), or as one rule per pair (nft_linear, the measured flow's rule last). No
/// conntrack shortcut (<c>ct state established accept</c>) in front: the issue compares the
/// rule lookups themselves, and a UDP flood from fresh sources would miss it anyway.
/// </summary>
internal sealed class NftablesFilter(bool set) : SreConfiguration
{
    public override string Name => set ? "nft_set" : "nft_linear";
    public override bool Delivers => true;

    public override void Install(VethPair pair, RuleSet rules)
    {
        var s = new StringBuilder(rules.Count * 64);
        s.Append("table inet microseg_sre {\n");
        if (set)
        {
            s.Append("  set allowed {\n    type ipv4_addr . inet_service\n    elements = {\n");
            foreach (var (source, port) in rules.Rules())
                s.Append("      ").Append(source).Append(" . ").Append(port).Append(",\n");
            s.Append("    }\n  }\n");
        }
        s.Append("  chain input {\n    type filter hook input priority 0; policy drop;\n");
        if (set)
        {
            s.Append("    ip saddr . udp dport @allowed accept\n");
        }
        else
        {
            foreach (var (source, port) in rules.Rules())
                s.Append("    ip saddr ").Append(source).Append(" udp dport ").Append(port).Append(" accept\n");
        }
        s.Append("  }\n}\n");
        Shell.Run("ip", ["netns", "exec", pair.ReceiverNamespace, "nft", "-f", "-"], s.ToString());
    }
}
