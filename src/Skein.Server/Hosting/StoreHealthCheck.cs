using Microsoft.Extensions.Diagnostics.HealthChecks;
using Skein.Store;

namespace Skein.Server.Hosting;

/// <summary><c>/healthz</c> is healthy when the store answers.</summary>
public sealed class StoreHealthCheck(ServerSettings store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    ) =>
        await store.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the store is not reachable");
}
