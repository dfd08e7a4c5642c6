using System.Text;

namespace Microseg.Bench.Sre.Configurations;

/// <summary>
/// iptables: the same pairs as INPUT rules, one per pair (the measured flow's last), policy
/// DROP, loaded with iptables-restore in the receiver's namespace. Debian's iptables is
/// iptables-nft: the rules become nftables rules through the xtables compatibility layer.
/// </summary>
internal sealed class IptablesFilter : SreConfiguration
{
    public override string Name => "iptables";
    public override bool Delivers => true;

    public override void Install(VethPair pair, RuleSet rules)
    {
        var s = new StringBuilder(rules.Count * 64);
        s.Append("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        foreach (var (source, port) in rules.Rules())
            s.Append("-A INPUT -s ").Append(source).Append("/32 -p udp -m udp --dport ").Append(port).Append(" -j ACCEPT\n");
        s.Append("COMMIT\n");
        Shell.Run("ip", ["netns", "exec", pair.ReceiverNamespace, "iptables-restore"], s.ToString());
    }

    /// <summary>Which iptables this is ("iptables v1.8.9 (nf_tables)"), for the report.</summary>
    public static string Version()
    {
        var (code, output, _) = Shell.TryRun("iptables", ["-V"], timeout: TimeSpan.FromSeconds(10));
        return code == 0 ? output.Trim() : "unknown";
    }
}
