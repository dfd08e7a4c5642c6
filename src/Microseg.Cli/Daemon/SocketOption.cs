using System.CommandLine;

namespace Microseg.Cli.Daemon;

/// <summary>The options every command that talks to microsegd takes.</summary>
internal static class SocketOption
{
    public static Option<string> Create() => new("--socket")
    {
        Description = $"microsegd's control socket (default {ControlClient.DefaultSocketPath}).",
        DefaultValueFactory = _ => ControlClient.DefaultSocketPath,
    };

    public static Option<bool> Json(string what) => new("--json") { Description = $"Print {what} as the daemon's JSON." };
}
