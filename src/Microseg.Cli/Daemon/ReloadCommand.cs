using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace Microseg.Cli.Daemon;

/// <summary>
/// <c>reload [--socket PATH] [--json]</c>: asks microsegd to validate and apply its policy file
/// again (as SIGHUP does). Exit 0 applied, 1 refused (the errors are printed and the running
/// policy stays), 2 when the daemon could not be asked.
/// </summary>
internal static class ReloadCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string> socket = SocketOption.Create();
        Option<bool> json = SocketOption.Json("the outcome");
        var reload = new Command(
            "reload",
            "Make microsegd validate and apply its policy file again. Exit 0 applied, 1 refused (the running policy stays), " +
            "2 when it could not be reached.")
        {
            socket,
            json,
        };
        reload.SetAction(parsed => Run(parsed.GetRequiredValue(socket), parsed.GetValue(json), output, error).GetAwaiter().GetResult());
        return reload;
    }

    private static async Task<int> Run(string socketPath, bool json, TextWriter output, TextWriter error)
    {
        using var client = new ControlClient(socketPath);
        (HttpStatusCode code, string body) response;
        try
        {
            response = await client.SendAsync(HttpMethod.Post, "v1/reload");
        }
        catch (DaemonUnreachableException e)
        {
            error.WriteLine($"microsegctl: {e.Message}");
            return Program.Failure;
        }

        if (response.code is not (HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity))
        {
            error.WriteLine($"microsegctl: {DaemonAnswer.Describe(response.code, response.body)}");
            return Program.Failure;
        }

        bool applied = response.code == HttpStatusCode.OK;
        if (json)
        {
            output.WriteLine(response.body);
            return applied ? Program.Success : Program.Invalid;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(response.body);
            JsonElement outcome = document.RootElement;
            string generation = outcome.TryGetProperty("generation", out JsonElement g) ? g.GetRawText() : "?";
            if (applied)
            {
                output.WriteLine($"policy applied: generation {generation}");
                return Program.Success;
            }

            if (outcome.TryGetProperty("errors", out JsonElement errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement line in errors.EnumerateArray())
                    output.WriteLine(line.GetString());
            }

            error.WriteLine($"microsegctl: microsegd refused the policy; generation {generation} stays enforced.");
            return Program.Invalid;
        }
        catch (JsonException)
        {
            error.WriteLine($"microsegctl: microsegd's answer on {socketPath} is not JSON; is something else listening there?");
            return Program.Failure;
        }
    }
}
