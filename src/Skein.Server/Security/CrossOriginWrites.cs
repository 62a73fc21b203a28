using Skein.Server.Auth;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Security;

/// <summary>
/// Refuses a write (POST, PUT, PATCH, DELETE) authenticated only by the dashboard cookie when a browser says it
/// comes from another origin (issue #15 item 13): <c>Sec-Fetch-Site</c> other than <c>same-origin</c>, or else an
/// <c>Origin</c> that is not this server's. Bearer-token and API-key calls carry no ambient credential and are not
/// checked; a request with neither header is not a cross-site browser request.
/// </summary>
public sealed class CrossOriginWrites(RequestDelegate next)
{
    public const string Code = "cross_origin_refused";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (
            HttpMethods.IsGet(request.Method)
            || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method)
            || !ByCookieOnly(context)
            || IsSameOrigin(request)
        )
        {
            return next(context);
        }

        return Problems
            .Of(Code, "a signed-in dashboard cookie cannot be used for a write from another origin")
            .ExecuteAsync(context);
    }

    private static bool ByCookieOnly(HttpContext context)
    {
        var identities = context.User.Identities.Where(i => i.IsAuthenticated).ToList();
        return identities.Any(i => i.AuthenticationType == DashboardAuth.Scheme)
            && !identities.Any(i => i.AuthenticationType == AdminTokenAuthenticationHandler.SchemeName);
    }

    /// <summary>Browsers send <c>Sec-Fetch-Site</c> (pages cannot forge it); older ones only <c>Origin</c>.</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var from)
            && string.Equals(from.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(from.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && from.Port == (request.Host.Port ?? (request.IsHttps ? 443 : 80));
    }
}
