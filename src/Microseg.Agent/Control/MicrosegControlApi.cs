using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microseg.Agent.Control;

/// <summary>
/// The control API microsegctl talks to: <c>GET /v1/status</c> answers the daemon's
/// <see cref="AgentStatusSnapshot"/>, <c>POST /v1/reload</c> applies the policy file again and answers
/// its <see cref="ReloadOutcome"/> (200 applied, 422 refused), and the flow resources of
/// <see cref="FlowRoutes"/> (discovery, flows, monitor). JSON, camelCase.
/// </summary>
/// <remarks>
/// The API answers only on the unix socket, whose mode and group decide who may use it. When the
/// same server also listens on TCP (the metrics address), a request that came over TCP gets 404:
/// a reload must never be one unauthenticated HTTP request away.
/// </remarks>
public static class MicrosegControlApi
{
    /// <summary>The status resource.</summary>
    public const string StatusPath = "/v1/status";

    /// <summary>The reload action.</summary>
    public const string ReloadPath = "/v1/reload";

    /// <summary>Maps the control API's routes, reading the <see cref="IAgentStatus"/> registered in the app's services.</summary>
    public static RouteGroupBuilder MapMicrosegControlApi(this IEndpointRouteBuilder app)
    {
        IAgentStatus status = app.ServiceProvider.GetRequiredService<IAgentStatus>();
        ILogger logger = app.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(MicrosegControlApi).FullName!)
                         ?? NullLogger.Instance;

        RouteGroupBuilder v1 = app.MapGroup("/v1");
        v1.AddEndpointFilter(async (invocation, next) =>
            IsUnixSocket(invocation.HttpContext)
                ? await next(invocation)
                : Error(StatusCodes.Status404NotFound, "The control API answers only on microsegd's unix socket."));

        v1.MapGet("/status", () =>
        {
            try
            {
                return Results.Json(status.Snapshot(), ControlJsonContext.Api.AgentStatusSnapshot);
            }
            catch (Exception e)
            {
                logger.LogError(e, "The status snapshot failed");
                return Error(StatusCodes.Status500InternalServerError, $"microsegd could not take its status: {e.Message}");
            }
        });

        v1.MapPost("/reload", async (CancellationToken cancellationToken) =>
        {
            ReloadOutcome outcome;
            logger.LogInformation("Reloading the policy file, as requested over the control API.");
            try
            {
                outcome = await status.ReloadAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                logger.LogError(e, "A reload requested over the control API failed");
                return Error(StatusCodes.Status500InternalServerError, $"microsegd could not reload: {e.Message}");
            }

            return Results.Json(
                outcome,
                ControlJsonContext.Api.ReloadOutcome,
                statusCode: outcome.Applied ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        });

        FlowRoutes.Map(v1, app.ServiceProvider.GetService<Flows.FlowStore>());
        return v1;
    }

    /// <summary>True when the request came over a unix socket: Kestrel gives such a connection no IP address.</summary>
    private static bool IsUnixSocket(HttpContext context) =>
        context.Connection.LocalIpAddress is null && context.Connection.RemoteIpAddress is null;

    private static IResult Error(int statusCode, string message) =>
        Results.Json(new ControlError(message), ControlJsonContext.Api.ControlError, statusCode: statusCode);
}
