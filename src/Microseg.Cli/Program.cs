using System.CommandLine;

namespace Microseg.Cli;

/// <summary>
/// microsegctl: the command line. Exit codes: 0 success, 1 the input is invalid, 2 the command could
/// not do its job (unreadable file, bad usage, an internal fault), always with one sentence on
/// stderr and never a stack trace.
/// </summary>
public static class Program
{
    /// <summary>Exit code when the command succeeded and the input is valid.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the input is invalid (the diagnostics say why).</summary>
    public const int Invalid = 1;

    /// <summary>Exit code when the command could not run: unreadable file, bad usage, internal fault.</summary>
    public const int Failure = 2;

    private static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Every command and option microsegctl has (the man page is checked against it).</summary>
    internal static RootCommand CreateRoot(TextWriter output, TextWriter error) =>
        new("microsegctl: check and inspect Microseg network policies.")
        {
            PolicyCommands.Create(output, error),
            Daemon.StatusCommand.Create(output, error),
            Daemon.ReloadCommand.Create(output, error),
            DiscoverCommand.Create(output, error),
            MonitorCommand.Create(output, error),
            FlowsCommand.Create(output, error),
            Bench.BenchCommand.Create(output, error),
        };

    /// <summary>Runs microsegctl with <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            RootCommand root = CreateRoot(output, error);
            ParseResult parsed = root.Parse(args);
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            if (parsed.Errors.Count > 0)
            {
                // System.CommandLine spreads some messages over lines ("Must be one of:\n\t'text'…").
                string message = string.Join(' ', parsed.Errors[0].Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
                error.WriteLine($"microsegctl: {message} (see 'microsegctl --help').");
                return Failure;
            }

            return parsed.Invoke(configuration);
        }
        catch (Exception e)
        {
            // A fault of ours, not the user's: still one sentence, no stack trace.
            error.WriteLine($"microsegctl: internal error: {e.Message}");
            return Failure;
        }
    }
}
