namespace Microseg.Agent.Settings;

/// <summary>A mistake in the settings file or the command line: its message is one sentence for the user.</summary>
public sealed class SettingsException(string message) : Exception(message);
