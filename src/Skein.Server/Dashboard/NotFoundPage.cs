using Microsoft.AspNetCore.Diagnostics;

namespace Skein.Server.Dashboard;

/// <summary>
/// A browser that asks for a page that does not exist (a wrong session URL, a mistyped path) gets the dashboard's
/// 404 page, not the problem JSON that API clients get: an error status without a body is re-executed as
/// <c>/not-found</c> for page requests only (GET or HEAD, accepting HTML, outside the API, hook and live-feed paths).
/// </summary>
public static class NotFoundPage
{
    public const string Path = "/not-found";

    private static readonly string[] MachinePaths = ["/api", "/v1", "/hooks", "/dashboard/live", "/openapi"];

    /// <summary>
    /// Goes right after the problem-JSON status pages. The re-executing middleware's feature is switched off for every
    /// other request, so those keep the outer one's problem JSON (each status-pages middleware checks its own feature).
    /// </summary>
    public static WebApplication UseDashboardNotFoundPage(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute(Path);
        app.Use(
            (http, next) =>
            {
                if (!IsPageRequest(http) && http.Features.Get<IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }

                return next(http);
            }
        );
        return app;
    }

    private static bool IsPageRequest(HttpContext http) =>
        (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        && http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true)
        && !MachinePaths.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}
