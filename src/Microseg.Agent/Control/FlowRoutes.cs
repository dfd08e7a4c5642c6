using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microseg.Agent.Flows;
using Microseg.Flows.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microseg.Agent.Control;

/// <summary>
/// The flow resources of the control API (docs/flows.md): <c>GET /v1/discovery</c> the discovery
/// graph file's JSON, <c>GET /v1/flows?limit=N</c> the newest recorded flows as a flow file (JSON
/// lines, oldest first), <c>GET /v1/monitor</c> the monitor report of those recent flows.
/// </summary>
internal static class FlowRoutes
{
    public const string DiscoveryPath = "/v1/discovery";
    public const string FlowsPath = "/v1/flows";
    public const string MonitorPath = "/v1/monitor";

    /// <summary>Maps the routes on <paramref name="v1"/>; without a store each answers 503.</summary>
    public static void Map(RouteGroupBuilder v1, FlowStore? store)
    {
        v1.MapGet("/discovery", () => store is null
            ? NoFlows()
            : Results.Text(store.GraphJson() + "\n", "application/json"));

        v1.MapGet("/flows", (string? limit) =>
        {
            if (store is null)
                return NoFlows();
            var count = FlowStore.DefaultRecentCapacity;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
                return Results.Json(new ControlError($"limit must be a whole number from 1, not '{limit}'."), ControlJsonContext.Api.ControlError,
                    statusCode: StatusCodes.Status400BadRequest);
            return Results.Text(JsonLines(store.Recent(count)), "application/x-ndjson");
        });

        v1.MapGet("/monitor", () => store is null
            ? NoFlows()
            : Results.Text(store.Monitor().Json(), "application/json"));
    }

    private static string JsonLines(FlowRecord[] records)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, records.Length * 400));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var record in records)
            {
                FlowRecordJson.Write(writer, in record);
                writer.Flush();
                buffer.Write("\n"u8);
                writer.Reset(buffer);
            }
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static IResult NoFlows() =>
        Results.Json(new ControlError("This microsegd keeps no flows."), ControlJsonContext.Api.ControlError,
            statusCode: StatusCodes.Status503ServiceUnavailable);
}
