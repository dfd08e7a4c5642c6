using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microseg.Agent.Lifecycle;

/// <summary>state.json's JSON (web defaults, indented), generated at build time: the daemon ships as Native AOT, without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(AgentState))]
internal sealed partial class AgentStateJsonContext : JsonSerializerContext;
