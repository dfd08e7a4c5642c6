using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// What microsegd remembers between runs, in STATE_DIR/state.json: which build of the
/// programs it pinned, which policy it made live, and what it attached where (with whether
/// it created the clsact qdisc, so uninstall removes only what it made).
/// </summary>
public sealed record AgentState
{
    /// <summary>SHA-256 of the eBPF objects and the load-time settings of the pinned programs.</summary>
    public string? BuildSha256 { get; init; }

    /// <summary>SHA-256 of the policy files (main and includes) whose image is live.</summary>
    public string? PolicySha256 { get; init; }

    /// <summary>The generation that policy went live with.</summary>
    public uint PolicyGeneration { get; init; }

    public DateTimeOffset? PolicyAppliedAt { get; init; }

    public List<AttachedInterface> Interfaces { get; init; } = [];
}

/// <summary>One interface the programs are attached to.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Namespace">The named network namespace it lives in; null for the daemon's own.</param>
/// <param name="Ifindex">Its index in that namespace.</param>
/// <param name="XdpMode">"native" or "generic".</param>
/// <param name="CreatedClsact">True when the daemon created the clsact qdisc on it.</param>
/// <param name="Slot">Its verdict counter slot (ms_interface_slots).</param>
public sealed record AttachedInterface(string Name, string? Namespace, int Ifindex, string XdpMode, bool CreatedClsact, uint Slot)
{
    /// <summary>NAME or NAME@NETNS, as the settings write it.</summary>
    [JsonIgnore]
    public string DisplayName => Namespace is null ? Name : $"{Name}@{Namespace}";
}

/// <summary>Reads and writes state.json; a write is a rename, so a crash never leaves half a file.</summary>
public sealed class AgentStateStore(string stateDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(stateDirectory, "state.json");

    public string Directory => stateDirectory;

    /// <summary>The saved state; empty when there is none or it cannot be read (then nothing is adopted on its word).</summary>
    public AgentState Load()
    {
        try
        {
            return File.Exists(Path) ? JsonSerializer.Deserialize(File.ReadAllText(Path), AgentStateJsonContext.Default.AgentState) ?? new() : new();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new();
        }
    }

    private readonly Lock _lock = new();

    /// <summary>Reads, changes and writes the state under one lock (the interface manager and the reloader share it).</summary>
    public AgentState Update(Func<AgentState, AgentState> change)
    {
        lock (_lock)
        {
            var state = change(Load());
            Save(state);
            return state;
        }
    }

    public void Save(AgentState state)
    {
        System.IO.Directory.CreateDirectory(stateDirectory);
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, AgentStateJsonContext.Default.AgentState));
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Removes state.json and the directory when nothing else is in it.</summary>
    public void Delete()
    {
        if (!System.IO.Directory.Exists(stateDirectory))
            return;
        File.Delete(Path);
        File.Delete(Path + ".tmp");
        if (System.IO.Directory.Exists(stateDirectory) && !System.IO.Directory.EnumerateFileSystemEntries(stateDirectory).Any())
            System.IO.Directory.Delete(stateDirectory);
    }
}
