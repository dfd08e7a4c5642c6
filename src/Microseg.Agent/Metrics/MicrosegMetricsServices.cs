using Microseg.Agent.Control;
using Microsoft.Extensions.DependencyInjection;

namespace Microseg.Agent.Metrics;

/// <summary>Registers the metrics in the daemon's services.</summary>
public static class MicrosegMetricsServices
{
    /// <summary>
    /// Adds <see cref="MicrosegMetrics"/> (reading the registered <see cref="IAgentStatus"/> at each
    /// scrape), a singleton disposed with the host.
    /// </summary>
    public static IServiceCollection AddMicrosegMetrics(this IServiceCollection services) =>
        services.AddSingleton(provider => new MicrosegMetrics(provider.GetRequiredService<IAgentStatus>()));
}
