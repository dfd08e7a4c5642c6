using System.CommandLine;
using System.Net;
using Microseg.Policy;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Cli;

/// <summary>
/// <c>policy explain FILE --from --to --proto [--port | --icmp-type] [--direction]</c>: judges one
/// packet, the first of a flow, with the reference evaluator and says which rule decides and why.
/// </summary>
internal static class PolicyExplainCommand
{
    // The source port of the explained packet: any ephemeral port; rules match destination ports only.
    private const ushort EphemeralPort = 40000;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (its include directory is read too)." };
        var from = new Option<string>("--from") { Description = "Source address of the packet.", Required = true };
        var to = new Option<string>("--to") { Description = "Destination address of the packet.", Required = true };
        var proto = new Option<string>("--proto") { Description = "tcp, udp, icmp, icmpv6, or an IP protocol number.", Required = true };
        var port = new Option<string?>("--port") { Description = "Destination port (tcp and udp; required for them)." };
        var icmpType = new Option<string?>("--icmp-type") { Description = "ICMP type (icmp and icmpv6; required for them)." };
        var direction = new Option<string?>("--direction")
        {
            Description = "ingress or egress. Default: ingress when --to is a local endpoint address, egress when --from is.",
        };
        direction.AcceptOnlyFromAmong("ingress", "egress");
        var format = new Option<string>("--format") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var explain = new Command(
            "explain",
            "Judge one packet (the first of a flow) by the policy, as docs/policy.md says the data plane does: the verdict, " +
            "the deciding rule and why. Exit 0 when judged, 1 when the policy is invalid, 2 on bad arguments or an unreadable file.")
        {
            file, from, to, proto, port, icmpType, direction, format,
        };
        explain.SetAction(parsed =>
        {
            var request = new ExplainRequest(
                parsed.GetRequiredValue(file), parsed.GetRequiredValue(from), parsed.GetRequiredValue(to), parsed.GetRequiredValue(proto),
                parsed.GetValue(port), parsed.GetValue(icmpType), parsed.GetValue(direction), parsed.GetValue(format) == "json");
            return Run(request, output, error);
        });
        return explain;
    }

    private static int Run(ExplainRequest request, TextWriter output, TextWriter error)
    {
        if (!TryBuildPacket(request, out PacketFacts? packet, out string problem))
        {
            error.WriteLine($"microsegctl: {problem}");
            return Program.Failure;
        }

        PolicyCheckResult checkedPolicy = PolicyChecker.CheckFile(request.File);
        if (checkedPolicy.ReadFailure is not null)
        {
            error.WriteLine($"microsegctl: {checkedPolicy.ReadFailure}");
            return Program.Failure;
        }

        if (!checkedPolicy.IsValid)
        {
            if (request.Json)
            {
                output.WriteLine(CheckOutput.Json(checkedPolicy));
            }
            else
            {
                CheckOutput.Text(request.File, checkedPolicy, output);
            }

            return Program.Invalid;
        }

        PolicyDocument document = checkedPolicy.Document!;
        if (!TryDirection(request, document, packet!, out Direction resolved, out problem))
        {
            error.WriteLine($"microsegctl: {problem}");
            return Program.Failure;
        }

        packet = packet! with { Direction = resolved };
        Judgement judgement = new ReferenceEvaluator(document).Judge(packet);
        output.WriteLine(request.Json ? ExplainOutput.Json(request.File, packet, judgement) : ExplainOutput.Text(packet, judgement));
        return Program.Success;
    }

    // The packet, direction still to be decided: one sentence when the arguments cannot describe one.
    private static bool TryBuildPacket(ExplainRequest r, out PacketFacts? packet, out string problem)
    {
        packet = null;
        if (!TryParseAddress(r.From, out IPAddress? source))
        {
            problem = $"--from '{r.From}' is not an IPv4 or IPv6 address.";
            return false;
        }

        if (!TryParseAddress(r.To, out IPAddress? destination))
        {
            problem = $"--to '{r.To}' is not an IPv4 or IPv6 address.";
            return false;
        }

        if (source.AddressFamily != destination.AddressFamily)
        {
            problem = $"--from {source} and --to {destination} must both be IPv4 or both IPv6.";
            return false;
        }

        byte? protocol = r.Proto.ToLowerInvariant() switch
        {
            "tcp" => 6,
            "udp" => 17,
            "icmp" => 1,
            "icmpv6" => 58,
            _ => byte.TryParse(r.Proto, out byte number) ? number : null,
        };
        if (protocol is not { } p)
        {
            problem = $"--proto '{r.Proto}' is not tcp, udp, icmp, icmpv6 or a protocol number from 0 to 255.";
            return false;
        }

        bool ported = p is 6 or 17;
        bool icmp = p is 1 or 58;
        if (ported != (r.Port is not null))
        {
            problem = ported ? $"--port is required for {r.Proto}." : $"--port applies only to tcp and udp, not {r.Proto}.";
            return false;
        }

        if (icmp != (r.IcmpType is not null))
        {
            problem = icmp ? $"--icmp-type is required for {r.Proto}." : $"--icmp-type applies only to icmp and icmpv6, not {r.Proto}.";
            return false;
        }

        ushort destinationPort = 0;
        if (r.Port is not null && !ushort.TryParse(r.Port, out destinationPort))
        {
            problem = $"--port '{r.Port}' is not a port from 0 to 65535.";
            return false;
        }

        byte type = 0;
        if (r.IcmpType is not null && !byte.TryParse(r.IcmpType, out type))
        {
            problem = $"--icmp-type '{r.IcmpType}' is not an ICMP type from 0 to 255.";
            return false;
        }

        ushort sourcePort = ported ? EphemeralPort : (ushort)0;
        packet = new PacketFacts(source, destination, p, sourcePort, destinationPort, type, Direction.Ingress,
            TcpFlags: p == 6 ? TcpFlagBits.Syn : TcpFlagBits.None);
        problem = "";
        return true;
    }

    // --direction when given; otherwise whichever address is a local endpoint.
    private static bool TryDirection(ExplainRequest r, PolicyDocument document, PacketFacts packet, out Direction direction, out string problem)
    {
        problem = "";
        direction = Direction.Ingress;
        if (r.Direction is not null)
        {
            direction = r.Direction == "egress" ? Direction.Egress : Direction.Ingress;
            return true;
        }

        bool toIsLocal = IsEndpointAddress(document, packet.Destination);
        bool fromIsLocal = IsEndpointAddress(document, packet.Source);
        if (toIsLocal && fromIsLocal)
        {
            problem = $"both {packet.Source} and {packet.Destination} are endpoints in {r.File}; say which side judges the packet with --direction ingress (at {packet.Destination}) or egress (at {packet.Source}).";
            return false;
        }

        if (!toIsLocal && !fromIsLocal)
        {
            problem = $"neither {packet.Source} nor {packet.Destination} is an endpoint address in {r.File}; give --direction to judge it anyway.";
            return false;
        }

        direction = toIsLocal ? Direction.Ingress : Direction.Egress;
        return true;
    }

    // IPAddress.TryParse also takes inet_aton's shorthands ("1.2.3" is 1.2.0.3): accept only four dotted parts.
    private static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address) =>
        IPAddress.TryParse(text, out address) &&
        (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);

    private static bool IsEndpointAddress(PolicyDocument document, IPAddress address) =>
        document.Endpoints.Any(e => e.Addresses.Any(a => a.Network.BaseAddress.Equals(address)));

    private sealed record ExplainRequest(string File, string From, string To, string Proto, string? Port, string? IcmpType, string? Direction, bool Json);
}
