using Skein.Server.Api.Admin;
using Skein.Server.Api.Hooks;
using Skein.Server.Api.V1;
using Skein.Server.Api.V1.FileLibrary;
using Skein.Server.Auth;
using Skein.Server.Dashboard;

namespace Skein.Server.Hosting;

/// <summary>The request pipeline and every route group, in order.</summary>
public static class SkeinEndpoints
{
    /// <summary>Middleware before routing: errors as problems, static files, auth, rate limits.</summary>
    public static WebApplication UseSkeinPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboardNotFoundPage();
        app.UseJsonBodyPolicy();
        app.UseStaticFiles();
        app.UseDashboardServerTiming();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Management API, hooks, public API and dashboard.</summary>
    public static WebApplication MapSkeinEndpoints(this WebApplication app)
    {
        app.MapSkeinApiReference();
        app.MapGroup("/api")
            .RequireAuthorization()
            .WithTags("Management")
            .MapAgentAdmin()
            .MapSessionAdmin()
            .MapAccessAdmin()
            .MapUserTaskAdmin()
            .MapVersionAdmin()
            .MapManifestAdmin()
            .MapAgentLifecycleAdmin()
            .MapTriggerAdmin()
            .MapSecretAdmin()
            .MapIntegrationAdmin()
            .MapProviderAdmin()
            .MapShortIdAdmin();
        app.MapHooks();
        app.MapGroup("/v1")
            .RequireAuthorization(ApiKeyAuthenticationHandler.SchemeName)
            .WithTags("Public API")
            .MapV1Agents()
            .MapV1Runs()
            .MapV1RunStream()
            .MapV1FileLibrary();
        app.MapDashboard();
        return app;
    }
}
