using System.CommandLine;
using System.Text.Json;
using Microseg.Flows.Lint;
using Microseg.Flows.Records;
using Microseg.Policy.Model;

namespace Microseg.Cli;

/// <summary><c>policy lint FILE --flows</c>: rules never hit, shadowed, or broader than their traffic.</summary>
internal static class PolicyLintCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (its include directory is read too)." };
        Option<string?> flows = FlowInputs.Flows(required: false);
        Option<bool> fromDaemon = FlowInputs.FromDaemon();
        Option<string> socket = Daemon.SocketOption.Create();
        Option<string> format = FlowInputs.Format("text", "json");
        var command = new Command(
            "lint",
            "Report, against the recorded flows, rules never hit, rules shadowed by others, and broad rules (any port, protocol " +
            "or remote) the observed traffic could narrow. Exit 0 when there is nothing to report, 1 when there is (or the policy " +
            "is invalid), 2 when an input cannot be read.")
        {
            file, flows, format, fromDaemon, socket,
        };
        command.SetAction(parsed =>
        {
            PolicyDocument? policy = FlowInputs.Policy(parsed.GetRequiredValue(file), output, error, out int code);
            if (policy is null)
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

            IReadOnlyList<LintFinding> findings = PolicyLinter.Lint(policy, records);
            if (parsed.GetValue(format) == "json")
            {
                output.WriteLine(JsonTree.Write(new Dictionary<string, object?>
                {
                    ["findings"] = findings.Select(f => new Dictionary<string, object?>
                    {
                        ["kind"] = f.KindName, ["rule"] = f.Rule, ["file"] = f.Position.File, ["line"] = f.Position.Line, ["column"] = f.Position.Column,
                        ["message"] = f.Message, ["suggestion"] = f.Suggestion,
                    }),
                }));
            }
            else
            {
                foreach (LintFinding finding in findings)
                {
                    output.WriteLine(finding.ToString());
                }

                output.WriteLine(findings.Count == 0
                    ? $"{policy.Rules.Count} rule(s), {records.Count} flow record(s): nothing to report."
                    : $"{findings.Count} finding(s) in {policy.Rules.Count} rule(s), against {records.Count} flow record(s).");
            }

            return findings.Count == 0 ? Program.Success : Program.Invalid;
        });
        return command;
    }
}
