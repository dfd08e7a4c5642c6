using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Cli;

/// <summary><c>flows</c>: the flow records themselves, from the daemon or a flow log, optionally followed as it grows.</summary>
internal static class FlowsCommand
{
    /// <summary>How often a followed file is looked at: a stat and a read, cheap; far more often than a log fills up and rotates.</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string?> flows = FlowInputs.Flows(required: false);
        Option<string> socket = Daemon.SocketOption.Create();
        Option<string> format = FlowInputs.Format("text", "json");
        var limit = new Option<int?>("--limit", "-n") { Description = "Show only the newest N records (with --follow, 10 unless given)." };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep printing records as they are appended to the --flows file, across the daemon's rotations (Ctrl-C stops).",
        };
        var command = new Command(
            "flows",
            "Print flow records, one per line: when, what, the local side (identity, local unit, address) and the remote side, the service, " +
            "the verdict and the deciding rule; from the running microsegd's recent flows unless --flows is given. " +
            "Exit 0, or 2 when the flows cannot be read.")
        {
            flows, socket, format, limit, follow,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            int? newest = parsed.GetValue(limit);
            if (newest is < 1)
            {
                error.WriteLine("microsegctl: --limit takes a whole number from 1.");
                return Program.Failure;
            }

            bool json = parsed.GetValue(format) == "json";
            string? path = parsed.GetValue(flows);
            if (parsed.GetValue(follow))
            {
                if (path is null)
                {
                    error.WriteLine("microsegctl: --follow reads a flow log: give --flows FILE (microsegd's flowLog setting).");
                    return Program.Failure;
                }

                return await Follow(path, newest ?? 10, json, output, error, cancel);
            }

            List<FlowRecord>? records = FlowInputs.Records(path, parsed.GetRequiredValue(socket), error);
            if (records is null)
            {
                return Program.Failure;
            }

            foreach (FlowRecord record in records.Skip(Math.Max(0, records.Count - (newest ?? records.Count))))
            {
                output.WriteLine(json ? FlowRecordJson.ToLine(record) : Line(record));
            }

            return Program.Success;
        });
        return command;
    }

    /// <summary>
    /// Prints the newest <paramref name="newest"/> records of <paramref name="path"/>, then each one
    /// appended, until <paramref name="cancel"/>; follows rotations (<see cref="FlowLogFollower"/>).
    /// </summary>
    public static async Task<int> Follow(string path, int newest, bool json, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        using var follower = new FlowLogFollower(path);
        bool first = true;
        while (!cancel.IsCancellationRequested)
        {
            List<string> lines;
            try
            {
                lines = follower.ReadLines();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"microsegctl: cannot read flows from {path}: {e.Message.Split('\n')[0].TrimEnd('.')}.");
                return Program.Failure;
            }

            IEnumerable<string> shown = first ? lines.Skip(Math.Max(0, lines.Count - newest)) : lines;
            first = false;
            foreach (string line in shown)
            {
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                try
                {
                    output.WriteLine(json ? trimmed : Line(FlowRecordJson.Parse(trimmed)));
                }
                catch (Exception e) when (e is FormatException or JsonException)
                {
                    error.WriteLine($"microsegctl: {path}: skipped a line that is not a flow record: {e.Message.Split('\n')[0].TrimEnd('.')}.");
                }
            }

            output.Flush();
            try
            {
                await Task.Delay(FollowInterval, cancel);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return Program.Success;
    }

    /// <summary>
    /// One record as text: <c>TIME KIND VERDICT LOCAL-IDENTITY [UNIT] ADDRESS:PORT &lt;- or -&gt; REMOTE-IDENTITY ADDRESS:PORT SERVICE rule=RULE</c>;
    /// the arrow points the way the flow was opened.
    /// </summary>
    public static string Line(in FlowRecord record)
    {
        string unit = record.LocalUnit is null ? "" : $" [{record.LocalUnit}]";
        string arrow = record.Direction == Direction.Ingress ? "<-" : "->";
        string service = FlowText.Service(record.Protocol, record.PolicyPort);
        return string.Create(CultureInfo.InvariantCulture,
            $"{record.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} {FlowText.Kind(record.Kind)} {FlowText.Verdict(record.Verdict)} " +
            $"{record.LocalIdentity}{unit} {Endpoint(record.LocalAddress.ToString(), record.LocalPort, record.Protocol)} {arrow} " +
            $"{record.RemoteIdentity} {Endpoint(record.RemoteAddress.ToString(), record.RemotePort, record.Protocol)} {service} " +
            $"rule={record.RuleName ?? "default"}");
    }

    private static string Endpoint(string address, ushort port, byte protocol) =>
        !FlowText.HasPorts(protocol) ? address : address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";
}
