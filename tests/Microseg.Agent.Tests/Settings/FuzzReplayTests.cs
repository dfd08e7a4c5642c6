using Microseg.Agent.Settings;
using Microseg.TestSupport;

namespace Microseg.Agent.Tests.Settings;

/// <summary>
/// Every settings input the fuzzer keeps (fuzz/corpus/settings, fuzz/regressions/settings) through
/// microsegd's settings loader in-process, as the daemon's start runs it: each gives settings or
/// one <see cref="SettingsException"/> sentence starting with FILE:LINE:COL (or naming the value),
/// never another exception.
/// </summary>
public sealed class FuzzReplayTests
{
    private const string ConfigPath = "/etc/microseg/microsegd.yaml";

    public static TheoryData<string> Inputs() => new(FuzzInputs.Of("settings"));

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Gives_settings_or_a_settings_error_never_another_exception(string input)
    {
        // The daemon reads the file with File.ReadAllText, which replaces invalid UTF-8.
        string text = File.ReadAllText(Path.Combine(ArtifactPaths.RepositoryRoot, input));

        try
        {
            CommandLine.Parsed parsed = CommandLine.Parse(["--config", ConfigPath], path => path == ConfigPath ? text : null);
            _ = AgentMain.MetricsEndpoint(parsed.Settings.MetricsAddress);
        }
        catch (SettingsException e)
        {
            Assert.True(e.Message.StartsWith(ConfigPath + ":", StringComparison.Ordinal) || e.Message.StartsWith("the metrics address ", StringComparison.Ordinal),
                $"{input}: {e.Message}");
        }
    }

    [Fact]
    public void The_corpus_is_there() =>
        Assert.True(FuzzInputs.Of("settings").Count(i => i.StartsWith("fuzz/corpus/", StringComparison.Ordinal)) >= 10);
}
