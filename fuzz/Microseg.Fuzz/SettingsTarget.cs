using System.Text;
using Microseg.Agent;
using Microseg.Agent.Settings;

namespace Microseg.Fuzz;

/// <summary>
/// microsegd's settings loader as the daemon starts it: the input is the settings file named by
/// --config, read by <see cref="CommandLine.Parse"/>, then the metrics address is resolved as
/// <see cref="AgentMain"/> does. A <see cref="SettingsException"/> is the loader's diagnostic (the
/// daemon prints it and exits with its own code); any other exception is a crash.
/// </summary>
internal static class SettingsTarget
{
    private const string ConfigPath = "/etc/microseg/microsegd.yaml";

    /// <summary>Applies <paramref name="input"/> as the settings file; returns the diagnostic, or "valid".</summary>
    public static string Run(byte[] input)
    {
        // File.ReadAllText, which the daemon uses, decodes UTF-8 with replacement characters.
        string text = Encoding.UTF8.GetString(input);
        try
        {
            CommandLine.Parsed parsed = CommandLine.Parse(["--config", ConfigPath], path => path == ConfigPath ? text : null);
            _ = AgentMain.MetricsEndpoint(parsed.Settings.MetricsAddress);
            return "valid";
        }
        catch (SettingsException e)
        {
            return $"diagnostic: {e.Message}";
        }
    }
}
