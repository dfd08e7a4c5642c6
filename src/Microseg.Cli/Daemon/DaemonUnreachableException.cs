namespace Microseg.Cli.Daemon;

/// <summary>microsegd could not be asked: its socket is missing, refused, forbidden, or it did not answer. The message is one sentence for the user.</summary>
internal sealed class DaemonUnreachableException(string message) : Exception(message);
