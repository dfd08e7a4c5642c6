using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microseg.Agent.Control;

/// <summary>
/// The control API's JSON: web defaults (camelCase names), generated at build time so the
/// daemon serializes its status without reflection. Use <see cref="Api"/>, which leaves
/// quotes, apostrophes and non-ASCII readable: the JSON goes to programs and terminals, never into HTML.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentStatusSnapshot))]
[JsonSerializable(typeof(ReloadOutcome))]
[JsonSerializable(typeof(ControlError))]
internal sealed partial class ControlJsonContext : JsonSerializerContext
{
    /// <summary>The context the control API writes with: web defaults and minimal escaping.</summary>
    public static ControlJsonContext Api { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
