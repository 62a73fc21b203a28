namespace Skein.Server.Security;

/// <summary>
/// Headers on every response (issue #15 item 18): a Content-Security-Policy that allows only this origin's scripts
/// and styles (the dashboard has no inline script or style) and no framing, plus <c>nosniff</c>, no referrer and
/// <c>X-Frame-Options: DENY</c>. The API reference page (<c>/docs</c>, Scalar) configures itself with an inline
/// script, so its policy also allows inline scripts and styles, still from this origin only.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string DocsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        + "form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        // When the response starts, so an error page written after the exception handler cleared it has them too.
        context.Response.OnStarting(
            static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments(
                    Hosting.ApiReference.DocsPath,
                    StringComparison.OrdinalIgnoreCase
                )
                    ? DocsPolicy
                    : Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            },
            context
        );
        return next(context);
    }
}
