using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microseg.Agent.Metrics;

/// <summary>Serves the Prometheus metrics: <c>GET /metrics</c>.</summary>
public static class MicrosegMetricsEndpoints
{
    /// <summary>The path Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>
    /// Maps <c>GET /metrics</c> to the <see cref="PrometheusExposition"/> registered by
    /// <see cref="MicrosegMetricsServices.AddMicrosegMetrics"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapMicrosegMetrics(this IEndpointRouteBuilder app)
    {
        PrometheusExposition exposition = app.ServiceProvider.GetRequiredService<PrometheusExposition>();
        return app.MapGet(Path, async context =>
        {
            string text = exposition.Collect();
            context.Response.ContentType = PrometheusExposition.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(text, context.RequestAborted);
        });
    }
}
