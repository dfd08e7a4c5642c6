using System.CommandLine;
using Microseg.Policy;
using Microseg.Policy.Diff;

namespace Microseg.Cli;

/// <summary><c>policy diff OLD NEW</c>: what a policy change does, in identities and rules, before it is rolled out.</summary>
internal static class PolicyDiffCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var oldFile = new Argument<string>("OLD") { Description = "The policy in force (its include directory is read too)." };
        var newFile = new Argument<string>("NEW") { Description = "The policy about to replace it (its include directory is read too)." };
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (+ added, - removed, ~ changed; mode changes first) or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");

        var diff = new Command(
            "diff",
            "Show what changes from OLD to NEW: endpoint modes first, then defaults, identities, endpoints, rules, " +
            "boundaries and management. Exit 0 when both files are valid, whether or not they differ; " +
            "1 when either is invalid (its errors are printed); 2 when either cannot be read.")
        {
            oldFile,
            newFile,
            format,
        };
        diff.SetAction(parsed => Run(
            parsed.GetRequiredValue(oldFile), parsed.GetRequiredValue(newFile), parsed.GetValue(format) == "json", output, error));
        return diff;
    }

    private static int Run(string oldPath, string newPath, bool json, TextWriter output, TextWriter error)
    {
        // Both files are checked before anything is compared: a diff of a policy that would be
        // refused would describe a change that can never happen.
        PolicyCheckResult old = PolicyChecker.CheckFile(oldPath);
        PolicyCheckResult @new = PolicyChecker.CheckFile(newPath);

        string? readFailure = old.ReadFailure ?? @new.ReadFailure;
        if (readFailure is not null)
        {
            if (json)
            {
                output.WriteLine(DiffJson.Failed(oldPath, newPath, readFailure, []));
            }

            error.WriteLine($"microsegctl: {readFailure}");
            return Program.Failure;
        }

        if (!old.IsValid || !@new.IsValid)
        {
            var errors = old.Diagnostics.Concat(@new.Diagnostics).Where(d => d.IsError).ToList();
            if (json)
            {
                output.WriteLine(DiffJson.Failed(oldPath, newPath, null, errors));
            }
            else
            {
                DiffText.Invalid([(oldPath, old), (newPath, @new)], output);
            }

            return Program.Invalid;
        }

        PolicyDiffResult result = PolicyDiff.Compare(old.Document!, @new.Document!);
        if (json)
        {
            output.WriteLine(DiffJson.Compared(oldPath, newPath, result));
        }
        else
        {
            new DiffText(output, UseColour(output)).Write(oldPath, newPath, result);
        }

        return Program.Success;
    }

    // Colour only for a person at a terminal: never into a pipe, a file, or a test's writer, and
    // never when NO_COLOR (https://no-color.org) is set.
    private static bool UseColour(TextWriter output) =>
        ReferenceEquals(output, Console.Out)
        && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
}
