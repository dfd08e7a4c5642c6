namespace Microseg.Agent.Hosting;

/// <summary>Startup cannot go on: one sentence for the log, and the exit code that says why.</summary>
public sealed class StartupException(ExitCode exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public ExitCode ExitCode { get; } = exitCode;
}
