using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Microseg.Agent.Metrics;

/// <summary>Serves the Prometheus metrics: <c>GET /metrics</c>.</summary>
public static class MicrosegMetricsEndpoints
{
    /// <summary>The path Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>
    /// Maps <c>GET /metrics</c> to the <see cref="MicrosegMetrics"/> registered by
    /// <see cref="MicrosegMetricsServices.AddMicrosegMetrics"/>: always the text format 0.0.4 (as
    /// prometheus-net.AspNetCore's middleware would, it could offer OpenMetrics, but it runs
    /// concurrent scrapes' callbacks together and answers a failed snapshot with stale values).
    /// A failed snapshot is a 503 with the reason.
    /// </summary>
    public static IEndpointConventionBuilder MapMicrosegMetrics(this IEndpointRouteBuilder app)
    {
        MicrosegMetrics metrics = app.ServiceProvider.GetRequiredService<MicrosegMetrics>();
        return app.MapGet(Path, async context =>
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.ContentType = MicrosegMetrics.ContentType;
            try
            {
                await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
            }
            catch (ScrapeFailedException e)
            {
                // Nothing was written yet: the status and type can still change.
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(e.Message, context.RequestAborted);
            }
        });
    }
}
