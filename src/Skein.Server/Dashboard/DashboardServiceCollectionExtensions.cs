using Skein.Server.Dashboard.Auth;
using Skein.Server.Dashboard.Live;

namespace Skein.Server.Dashboard;

/// <summary>The operator dashboard: Razor Pages (server-rendered), cookie sign-in, static assets and live
/// feeds.</summary>
public static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddDashboardAuth();
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard/Pages";
            o.Conventions.AuthorizeFolder("/", DashboardAuth.Policy);
            o.Conventions.AllowAnonymousToPage("/Account/SignIn");
            o.Conventions.AllowAnonymousToPage("/NotFound");
        });
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapDashboardLive();
        return app;
    }
}
