using System.CommandLine;
using Microseg.Policy;
using Microseg.Policy.Compilation;

namespace Microseg.Cli;

/// <summary>The <c>policy</c> commands: offline work on a policy file.</summary>
internal static class PolicyCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (its include directory is read too)." };
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (FILE:LINE:COL: error: message) or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var interfaces = new Option<string[]>("--interface")
        {
            Description = "An interface of this machine microsegd attaches to (NAME, or NAME@NETNS; repeatable): warn about each of its addresses no endpoint lists.",
            AllowMultipleArgumentsPerToken = false,
        };

        var check = new Command("check", "Validate a policy file: exit 0 valid (warnings allowed), 1 invalid, 2 unreadable.")
        {
            file,
            format,
            interfaces,
        };
        check.SetAction(parsed =>
        {
            string path = parsed.GetRequiredValue(file);
            PolicyCheckResult result = PolicyChecker.CheckFile(path, [PolicyCapacityCheck.Default]);
            string[] names = parsed.GetValue(interfaces) ?? [];
            if (names.Length > 0 && result.Document is { } document)
            {
                List<Microseg.Policy.Interfaces.InterfaceAddresses> present;
                try
                {
                    present = LocalInterfaces.Read(names);
                }
                catch (ArgumentException e)
                {
                    error.WriteLine($"microsegctl: {e.Message}");
                    return Program.Failure;
                }

                result = result with
                {
                    Diagnostics = [.. result.Diagnostics, .. Microseg.Policy.Interfaces.InterfaceOwnership.Warnings(document, present, path)],
                };
            }

            bool json = parsed.GetValue(format) == "json";
            if (json)
            {
                output.WriteLine(CheckOutput.Json(result));
            }
            else
            {
                CheckOutput.Text(path, result, output);
            }

            if (result.ReadFailure is not null)
            {
                error.WriteLine($"microsegctl: {result.ReadFailure}");
                return Program.Failure;
            }

            return result.IsValid ? Program.Success : Program.Invalid;
        });

        return new Command("policy", "Work with policy files.") { check, PolicyDiffCommand.Create(output, error), PolicyExplainCommand.Create(output, error),
            PolicySuggestCommand.Create(output, error), PolicySimulateCommand.Create(output, error), PolicyLintCommand.Create(output, error),
            PolicyExposureCommand.Create(output, error) };
    }
}
