using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace Microseg.Cli.Daemon;

/// <summary>
/// <c>status [--socket PATH] [--json]</c>: what the running microsegd is doing: programs,
/// interfaces and attach modes, the policy and its generation, endpoints and their modes,
/// counters and map occupancy. Exit 0 when it answered, 2 when it could not be asked.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string> socket = SocketOption.Create();
        Option<bool> json = SocketOption.Json("the status");
        var status = new Command(
            "status",
            "Show what the running microsegd is doing: programs, interfaces, policy, endpoints, counters and maps. " +
            "Exit 0 when it answered, 2 when it could not be reached.")
        {
            socket,
            json,
        };
        status.SetAction(parsed => Run(parsed.GetRequiredValue(socket), parsed.GetValue(json), output, error).GetAwaiter().GetResult());
        return status;
    }

    private static async Task<int> Run(string socketPath, bool json, TextWriter output, TextWriter error)
    {
        using var client = new ControlClient(socketPath);
        (HttpStatusCode code, string body) response;
        try
        {
            response = await client.SendAsync(HttpMethod.Get, "v1/status");
        }
        catch (DaemonUnreachableException e)
        {
            error.WriteLine($"microsegctl: {e.Message}");
            return Program.Failure;
        }

        if (response.code != HttpStatusCode.OK)
        {
            error.WriteLine($"microsegctl: {DaemonAnswer.Describe(response.code, response.body)}");
            return Program.Failure;
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(response.body);
        }
        catch (JsonException)
        {
            // Reported below with the other answers that are not a status.
        }

        if (document?.RootElement.ValueKind != JsonValueKind.Object)
        {
            document?.Dispose();
            error.WriteLine($"microsegctl: the answer on {socketPath} is not a microsegd status; is something else listening there?");
            return Program.Failure;
        }

        using (document)
        {
            if (json)
                output.WriteLine(response.body);
            else
                StatusText.Write(document.RootElement, output);
        }

        return Program.Success;
    }
}
