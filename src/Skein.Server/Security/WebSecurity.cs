namespace Skein.Server.Security;

/// <summary>
/// The web surface's defences (issue #15, see docs/security.md): security headers on every response, input size
/// limits on run-starting routes, and no cross-origin writes with the dashboard cookie. Program.cs calls
/// <see cref="AddSkeinWebSecurity"/> and <see cref="UseSkeinWebSecurity"/> once each.
/// </summary>
public static class WebSecurity
{
    public static IServiceCollection AddSkeinWebSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<InputLimitLookup>();
        DataFolderPermissions.CreatePrivateFiles();
        services.AddHostedService<DataFolderPermissions>();
        KeyRingProtection.Configure(services, configuration);

        // First in the pipeline, so static files, errors and redirects carry the headers too.
        services.AddTransient<IStartupFilter, SecurityHeadersStartup>();

        // Secure whenever the request came over HTTPS (or a forwarded proto of https).
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return services;
    }

    /// <summary>After authentication and authorization: both checks need the route's endpoint and the caller.</summary>
    public static WebApplication UseSkeinWebSecurity(this WebApplication app)
    {
        app.UseMiddleware<CrossOriginWrites>();
        app.UseMiddleware<InputSizeLimit>();
        return app;
    }

    /// <summary>Bounds the route's body by its trigger's <c>maxInputBytes</c> (see <see
    /// cref="InputSizeLimit"/>).</summary>
    public static TBuilder WithInputLimit<TBuilder>(this TBuilder builder, InputLimitScope scope)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new InputLimitMetadata(scope));

    private sealed class SecurityHeadersStartup : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) =>
            app =>
            {
                app.UseMiddleware<SecurityHeaders>();
                next(app);
            };
    }
}
