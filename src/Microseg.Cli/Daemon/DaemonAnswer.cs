using System.Net;
using System.Text.Json;

namespace Microseg.Cli.Daemon;

/// <summary>Turns an answer microsegd gave instead of the requested resource into one sentence.</summary>
internal static class DaemonAnswer
{
    /// <summary>"microsegd answered 500: its message", using the control API's <c>{"error": …}</c> body when there is one.</summary>
    public static string Describe(HttpStatusCode code, string body)
    {
        string? message = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out JsonElement error)
                && error.ValueKind == JsonValueKind.String)
            {
                message = error.GetString();
            }
        }
        catch (JsonException)
        {
            // Not the control API's error body; the status code alone has to do.
        }

        return message is null
            ? $"microsegd answered {(int)code} {code}."
            : $"microsegd answered {(int)code}: {message.TrimEnd('.')}.";
    }
}
