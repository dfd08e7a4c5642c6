using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microseg.Flows.Exposure;
using Microseg.Flows.Export;
using Microseg.Policy.Model;

namespace Microseg.Cli;

/// <summary><c>policy exposure FILE</c>: the blast radius a policy leaves, against a flat network.</summary>
internal static class PolicyExposureCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (its include directory is read too)." };
        Option<string> format = FlowInputs.Format("text", "json");
        var command = new Command(
            "exposure",
            "Compute how much of the estate each identity can reach under the policy (identity pairs and services), against a flat " +
            "network where everything is reachable. Exit 0; 1 when the policy is invalid; 2 when it cannot be read.")
        {
            file, format,
        };
        command.SetAction(parsed =>
        {
            PolicyDocument? policy = FlowInputs.Policy(parsed.GetRequiredValue(file), output, error, out int code);
            if (policy is null)
            {
                return code;
            }

            ExposureReport report = ExposureCalculator.Compute(policy);
            output.Write(parsed.GetValue(format) == "json" ? Json(report) : Text(report));
            return Program.Success;
        });
        return command;
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.####", CultureInfo.InvariantCulture) + "%";

    private static string Text(ExposureReport r)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"identity pairs reachable: {r.ReachablePairs} of {r.Pairs.Count} governed ({Percent(1 - r.PairReduction)}; flat network 100%)\n");
        text.Append($"(pair, service) reachable: {r.Reachable} of {r.Total} ({Percent(r.Exposure)}); reduction against a flat network: {Percent(r.Reduction)}\n\n");
        text.Append(TextTable.Render(
            ["IDENTITY", "CAN REACH", "REACH", "REACHABLE BY", "EXPOSED"],
            r.Identities.Select(i => (IReadOnlyList<string>)
            [
                i.Identity, $"{i.PeersReached} identities", $"{i.Reach} ({Percent(i.ReachFraction)})",
                $"{i.PeersExposedTo} identities", $"{i.Exposed} ({Percent(i.ExposedFraction)})",
            ])));
        var open = r.Pairs.Where(p => p.Reachable > 0).ToList();
        if (open.Count > 0)
        {
            text.Append('\n').Append(TextTable.Render(
                ["FROM", "TO", "TCP PORTS", "UDP PORTS", "ICMP ECHO", "ICMPV6 ECHO", "OTHER"],
                open.Select(p => (IReadOnlyList<string>)[p.From, p.To, $"{p.TcpPorts}", $"{p.UdpPorts}", YesNo(p.IcmpEcho), YesNo(p.IcmpV6Echo), YesNo(p.OtherProtocols)])));
        }

        return text.ToString();
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Json(ExposureReport r) => JsonTree.Write(new Dictionary<string, object?>
    {
        ["servicesPerPair"] = ExposurePair.ServicesPerPair,
        ["pairs"] = r.Pairs.Count,
        ["reachablePairs"] = r.ReachablePairs,
        ["reachable"] = r.Reachable,
        ["total"] = r.Total,
        ["exposure"] = r.Exposure,
        ["reduction"] = r.Reduction,
        ["pairReduction"] = r.PairReduction,
        ["identities"] = r.Identities.Select(i => new Dictionary<string, object?>
        {
            ["identity"] = i.Identity, ["reach"] = i.Reach, ["reachTotal"] = i.ReachTotal, ["exposed"] = i.Exposed, ["exposedTotal"] = i.ExposedTotal,
            ["peersReached"] = i.PeersReached, ["peersExposedTo"] = i.PeersExposedTo,
        }),
        ["reachablePairList"] = r.Pairs.Where(p => p.Reachable > 0).Select(p => new Dictionary<string, object?>
        {
            ["from"] = p.From, ["to"] = p.To, ["tcpPorts"] = p.TcpPorts, ["udpPorts"] = p.UdpPorts, ["icmpEcho"] = p.IcmpEcho, ["icmpv6Echo"] = p.IcmpV6Echo, ["other"] = p.OtherProtocols,
        }),
    }) + "\n";
}
