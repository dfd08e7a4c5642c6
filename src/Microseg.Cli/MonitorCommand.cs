using System.CommandLine;
using Microseg.Flows.Monitor;
using Microseg.Flows.Records;

namespace Microseg.Cli;

/// <summary><c>monitor</c>: what enforcement blocks, or would block, grouped.</summary>
internal static class MonitorCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string?> flows = FlowInputs.Flows(required: false);
        Option<string> socket = Daemon.SocketOption.Create();
        Option<string> format = FlowInputs.Format("table", "json");
        var command = new Command(
            "monitor",
            "Report what enforcement would block (monitor mode) and what it blocked, grouped by endpoint, remote identity, service " +
            "and the rule (or default) that denies, with counts and first and last seen; from the running microsegd's recent flows unless " +
            "--flows is given. Exit 0, or 2 when the flows cannot be read.")
        {
            flows, socket, format,
        };
        command.SetAction(parsed =>
        {
            List<FlowRecord>? records = FlowInputs.Records(parsed.GetValue(flows), parsed.GetRequiredValue(socket), error);
            if (records is null)
            {
                return Program.Failure;
            }

            MonitorReport report = MonitorReport.Of(records);
            output.Write(parsed.GetValue(format) == "json" ? report.Json() : report.Table());
            return Program.Success;
        });
        return command;
    }
}
