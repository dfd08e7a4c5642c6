using Microseg.Datapath.Loading;

namespace Microseg.Agent.Lifecycle;

/// <summary>What microsegd pins in its pin directory: every shared map under its own name, and the two programs.</summary>
public sealed class PinLayout(string directory)
{
    public string Directory { get; } = directory;

    public string IngressProgram => Path.Combine(Directory, "prog_" + MapNames.IngressProgram);

    public string EgressProgram => Path.Combine(Directory, "prog_" + MapNames.EgressProgram);

    public string Map(string name) => Path.Combine(Directory, name);

    /// <summary>Every pin the daemon creates.</summary>
    public IEnumerable<string> All => MapNames.Shared.Select(Map).Append(IngressProgram).Append(EgressProgram);

    /// <summary>True when a whole earlier run's pins are there: both programs and every map.</summary>
    public bool IsComplete => All.All(File.Exists);

    /// <summary>True when any of our pins is there.</summary>
    public bool Any => All.Any(File.Exists);
}
