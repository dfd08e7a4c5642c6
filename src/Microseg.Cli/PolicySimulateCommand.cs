using System.CommandLine;
using System.Text.Json;
using Microseg.Datapath.Abi;
using Microseg.Flows.Export;
using Microseg.Flows.Records;
using Microseg.Flows.Simulation;
using Microseg.Policy.Model;

namespace Microseg.Cli;

/// <summary><c>policy simulate NEW</c>: what breaks if NEW is enforced, judged on the recorded flows.</summary>
internal static class PolicySimulateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var next = new Argument<string>("NEW") { Description = "The policy to try (its include directory is read too)." };
        Option<string?> flows = FlowInputs.Flows(required: false);
        Option<bool> fromDaemon = FlowInputs.FromDaemon();
        Option<string> socket = Daemon.SocketOption.Create();
        var current = new Option<string?>("--current") { Description = "Compare with this policy's verdicts instead of the recorded ones." };
        Option<string> format = FlowInputs.Format("text", "json");
        var command = new Command(
            "simulate",
            "Replay the recorded flows through the reference evaluator and report which ones NEW would newly block and newly allow " +
            "(monitor mode counts as enforced). Exit 0; 1 when a policy is invalid; 2 when an input cannot be read.")
        {
            next, flows, current, format, fromDaemon, socket,
        };
        command.SetAction(parsed =>
        {
            PolicyDocument? nextPolicy = FlowInputs.Policy(parsed.GetRequiredValue(next), output, error, out int code);
            if (nextPolicy is null)
            {
                return code;
            }

            PolicyDocument? currentPolicy = null;
            if (parsed.GetValue(current) is { } currentPath && (currentPolicy = FlowInputs.Policy(currentPath, output, error, out code)) is null)
            {
                return code;
            }

            if (!FlowInputs.FromDaemonAlone(parsed.GetValue(fromDaemon), parsed.GetValue(flows), null, error))
            {
                return Program.Failure;
            }

            List<FlowRecord>? records = FlowInputs.Records(parsed.GetValue(flows), parsed.GetRequiredValue(socket), error);
            if (records is null)
            {
                return Program.Failure;
            }

            SimulationReport report = PolicySimulator.Run(records, nextPolicy, currentPolicy);
            output.Write(parsed.GetValue(format) == "json" ? Json(report) : Text(report, currentPolicy is null ? "recorded verdicts" : "the current policy"));
            return Program.Success;
        });
        return command;
    }

    private static readonly string[] Header = ["FROM", "TO", "SERVICE", "SEEN AT", "RULE IN NEW", "FLOWS", "FIRST SEEN", "LAST SEEN"];

    private static string Text(SimulationReport report, string against)
    {
        var text = new System.Text.StringBuilder(
            $"{report.Replayed} flow(s) replayed against {against}: {report.NewlyBlockedFlows} newly blocked, {report.NewlyAllowedFlows} newly allowed, {report.Unchanged} unchanged.\n");
        foreach ((string title, IReadOnlyList<SimulatedChange> changes) in new[] { ("Newly blocked", report.NewlyBlocked), ("Newly allowed", report.NewlyAllowed) })
        {
            if (changes.Count > 0)
            {
                text.Append($"\n{title}:\n").Append(TextTable.Render(Header, changes.Select(c => (IReadOnlyList<string>)
                [
                    c.From, c.To, c.Service, $"{c.Local} {c.Direction.Name()}", c.Rule, $"{c.Flows}", TextTable.Time(c.FirstSeen), TextTable.Time(c.LastSeen),
                ])));
            }
        }

        return text.ToString();
    }

    private static string Json(SimulationReport report)
    {
        static object Rows(IEnumerable<SimulatedChange> changes) => changes.Select(c => new Dictionary<string, object?>
        {
            ["from"] = c.From, ["to"] = c.To, ["local"] = c.Local, ["peer"] = c.Peer, ["direction"] = c.Direction.Name(),
            ["protocol"] = FlowText.Protocol(c.Protocol), ["port"] = c.Port, ["rule"] = c.Rule, ["flows"] = c.Flows,
            ["firstSeen"] = c.FirstSeen.UtcDateTime, ["lastSeen"] = c.LastSeen.UtcDateTime,
        }).ToList();
        return JsonTree.Write(new Dictionary<string, object?>
        {
            ["replayed"] = report.Replayed,
            ["unchanged"] = report.Unchanged,
            ["newlyBlocked"] = Rows(report.NewlyBlocked),
            ["newlyAllowed"] = Rows(report.NewlyAllowed),
        }) + "\n";
    }
}
