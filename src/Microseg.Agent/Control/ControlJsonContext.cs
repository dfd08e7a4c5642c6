using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microseg.Agent.Control;

/// <summary>
/// The control API's JSON: web defaults (camelCase names), generated at build time so the
/// daemon serializes its status without reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentStatusSnapshot))]
[JsonSerializable(typeof(ReloadOutcome))]
[JsonSerializable(typeof(ControlError))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
