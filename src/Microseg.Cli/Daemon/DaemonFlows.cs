using System.Net;
using Microseg.Flows.Discovery;
using Microseg.Flows.Records;

namespace Microseg.Cli.Daemon;

/// <summary>
/// The flow commands' inputs read from the running microsegd (<c>GET /v1/discovery</c>,
/// <c>GET /v1/flows</c>) instead of files. Each returns null after one sentence on the error writer.
/// </summary>
internal static class DaemonFlows
{
    /// <summary>The daemon's discovery graph.</summary>
    public static DiscoveryGraph? Graph(string socketPath, TextWriter error)
    {
        string? body = Get(socketPath, "v1/discovery", error);
        return body is null ? null : Parse(() => DiscoveryGraph.Parse(body, $"the answer of microsegd on {socketPath}"), error);
    }

    /// <summary>The daemon's recent flow records, oldest first.</summary>
    public static List<FlowRecord>? Records(string socketPath, TextWriter error)
    {
        string? body = Get(socketPath, "v1/flows", error);
        return body is null ? null : Parse(() => FlowLog.Parse(body, $"the answer of microsegd on {socketPath}"), error);
    }

    private static T? Parse<T>(Func<T> parse, TextWriter error)
        where T : class
    {
        try
        {
            return parse();
        }
        catch (FlowDataException e)
        {
            error.WriteLine($"microsegctl: {e.Message}.");
            return null;
        }
    }

    private static string? Get(string socketPath, string path, TextWriter error)
    {
        using var client = new ControlClient(socketPath);
        try
        {
            (HttpStatusCode code, string body) = client.SendAsync(HttpMethod.Get, path).GetAwaiter().GetResult();
            if (code == HttpStatusCode.OK)
                return body;
            error.WriteLine($"microsegctl: {DaemonAnswer.Describe(code, body)}");
            return null;
        }
        catch (DaemonUnreachableException e)
        {
            error.WriteLine($"microsegctl: {e.Message}");
            return null;
        }
    }
}
