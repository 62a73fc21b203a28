using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Skein.Store;

namespace Skein.Server.Hosting;

/// <summary>
/// <c>/healthz/live</c>: the process answers (no check runs). <c>/healthz/ready</c> and <c>/healthz</c>: the store is
/// reachable and its schema is migrated, so a load balancer sends traffic only to nodes that can serve it.
/// </summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddSkeinHealth(this IServiceCollection services)
    {
        services
            .AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [Ready])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [Ready]);
        return services;
    }

    public static WebApplication MapSkeinHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) };
        app.MapHealthChecks("/healthz/ready", ready);
        app.MapHealthChecks("/healthz", ready);
        return app;
    }
}

/// <summary>Healthy once the store has every migration this build knows; remembered, as a schema never goes
/// back.</summary>
public sealed class MigrationsHealthCheck(IDbContextFactory<SkeinDbContext> contexts) : IHealthCheck
{
    private volatile bool _migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        if (_migrated)
        {
            return HealthCheckResult.Healthy();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
        _migrated = pending == 0;
        return _migrated
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{pending} migration(s) not applied yet");
    }
}
