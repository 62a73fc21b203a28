namespace Skein.Server.Dashboard;

/// <summary>
/// A browser that asks for a page that does not exist (a wrong session URL, a mistyped path) gets the dashboard's
/// 404 page, not the problem JSON that API clients get: the 404 is re-executed as <c>/not-found</c> for page
/// requests only (GET or HEAD, accepting HTML, outside the API, hook and live-feed paths).
/// </summary>
public static class NotFoundPage
{
    public const string Path = "/not-found";

    private static readonly string[] MachinePaths = ["/api", "/v1", "/hooks", "/dashboard/live", "/openapi"];

    public static WebApplication UseDashboardNotFoundPage(this WebApplication app)
    {
        app.UseWhen(IsPageRequest, branch => branch.UseStatusCodePagesWithReExecute(Path));
        return app;
    }

    private static bool IsPageRequest(HttpContext http) =>
        (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        && http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true)
        && !MachinePaths.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}
