using System.CommandLine;
using System.Text.RegularExpressions;
using Microseg.Cli;

namespace Microseg.Policy.Tests;

/// <summary>microsegctl(8) names every command and option microsegctl has: checked against its command table, not by hand.</summary>
public sealed partial class ManPageTests
{
    [Fact]
    public void The_man_page_names_every_command_and_option()
    {
        string page = Plain(File.ReadAllText(Path.Combine(PolicyText.RepositoryRoot(), "packaging", "man", "microsegctl.8")));
        var missing = new List<string>();
        Walk(Program.CreateRoot(TextWriter.Null, TextWriter.Null), "");

        Assert.True(missing.Count == 0, $"microsegctl(8) does not mention: {string.Join(", ", missing)}");

        void Walk(Command command, string path)
        {
            foreach (Command sub in command.Subcommands)
            {
                string name = (path + " " + sub.Name).Trim();
                // A command is named in its synopsis line and in COMMANDS.
                if (!page.Contains("microsegctl " + name, StringComparison.Ordinal))
                    missing.Add($"the command '{name}' in SYNOPSIS");
                foreach (Option option in sub.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "-h" or "-?")))
                {
                    if (!Regex.IsMatch(page, $@"(?<![\w-]){Regex.Escape(option.Name)}(?![\w-])"))
                        missing.Add($"{name} {option.Name}");
                }

                Walk(sub, name);
            }
        }
    }

    // The page's text without roff: font macros and escapes removed, "\-" a hyphen.
    private static string Plain(string roff) =>
        RoffFont().Replace(roff.Replace("\\-", "-", StringComparison.Ordinal).Replace("\\e", "\\", StringComparison.Ordinal), "")
            .Replace("\n.B ", "\n", StringComparison.Ordinal).Replace("\n.BI ", "\n", StringComparison.Ordinal)
            .Replace("\n.BR ", "\n", StringComparison.Ordinal).Replace("\n.RB ", "\n", StringComparison.Ordinal)
            .Replace("\n.IR ", "\n", StringComparison.Ordinal).Replace("\n.I ", "\n", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal).Replace("[ ", "[", StringComparison.Ordinal);

    [GeneratedRegex(@"\\f[BIRP]")]
    private static partial Regex RoffFont();
}
