using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Skein.Server.Auth;

namespace Skein.Server.Dashboard.Auth;

/// <summary>
/// Cookie sign-in for the dashboard. The management API accepts the admin Bearer token or this cookie
/// (SPEC section 8); the cookie is SameSite=Strict, and cookie writes from another origin are refused
/// (<see cref="Security.CrossOriginWrites"/>).
/// </summary>
public static class DashboardAuth
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Policy = "Dashboard";

    /// <summary>Sign-in attempts (POST /signin) allowed per client address and minute; more get 429.</summary>
    public const int SignInAttemptsPerMinute = 20;

    /// <summary>The rate-limiting policy of the sign-in page.</summary>
    public const string SignInRateLimit = "signin";

    /// <summary>The actor recorded on events a signed-in user causes from the dashboard.</summary>
    public static Core.Actor Actor(System.Security.Claims.ClaimsPrincipal user) => SkeinUser.ActorOf(user);

    public static IServiceCollection AddDashboardAuth(this IServiceCollection services)
    {
        services.AddSingleton<OperatorAccount>();
        services.AddHostedService<OperatorAccountSeeder>();
        services
            .AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.Cookie.Name = "skein.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;

                // Sign-out and a password change rotate the operator's stamp; older cookies stop working. A disabled
                // user's cookie stops too, and a changed role applies on the next request.
                o.Events.OnValidatePrincipal = SecurityStamps.ValidateAsync;

                // API and live-feed callers get a 401 problem, not a redirect to the sign-in page.
                o.Events.OnRedirectToLogin = context =>
                {
                    if (IsPage(context.Request.Path))
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }

                    return Task.CompletedTask;
                };
            });

        // Slows password guessing: sign-in posts are limited per client address. The policy is attached to the
        // sign-in page's endpoint, so every spelling of its path (/signin/, /SignIn) shares the limit.
        services.AddSingleton<SignInLockout>();
        services.AddSingleton<SecurityStamps>();
        services.AddSingleton<UserCookies>();
        services.AddSingleton<IAuthorizationHandler, RoleAuthorizationHandler>();
        services.AddSingleton<
            Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler,
            RoleRefusalResultHandler
        >();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInRateLimit, context =>
                HttpMethods.IsPost(context.Request.Method)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        "signin:" + context.Connection.RemoteIpAddress,
                        _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = SignInAttemptsPerMinute,
                            Window = TimeSpan.FromMinutes(1),
                            QueueLimit = 0,
                        }
                    )
                    : RateLimitPartition.GetNoLimiter("signin:read")
            );
        });
        services
            .AddAuthorizationBuilder()
            .SetDefaultPolicy(
                new AuthorizationPolicyBuilder(AdminTokenAuthenticationHandler.SchemeName, Scheme)
                    .RequireAuthenticatedUser()
                    .AddRequirements(RoleRequirement.Instance)
                    .Build()
            )
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    private static bool IsPage(PathString path) =>
        !path.StartsWithSegments("/api")
        && !path.StartsWithSegments("/v1")
        && !path.StartsWithSegments("/dashboard/live");
}
