using Microsoft.Net.Http.Headers;

namespace Skein.Server;

/// <summary>
/// JSON request bodies are UTF-8 (RFC 8259): a JSON content type naming any other charset is refused with 415
/// before an endpoint reads it. Without this, an unknown charset (<c>charset=bogus</c>) makes the framework's body
/// reader throw, which would surface as a 500.
/// </summary>
public static class JsonBodyPolicy
{
    private static readonly string[] Accepted = ["utf-8", "utf8", "us-ascii"];

    public static IApplicationBuilder UseJsonBodyPolicy(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                if (Refusal(context.Request.ContentType) is { } detail)
                {
                    var problem = Problems.Details("unsupported_media_type", detail);
                    context.Response.StatusCode = problem.Status ?? StatusCodes.Status415UnsupportedMediaType;
                    var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                    await problems.WriteAsync(
                        new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }
                    );
                    return;
                }

                await next(context);
            }
        );

    /// <summary>Why a body of <paramref name="contentType"/> is refused, or null.</summary>
    public static string? Refusal(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return null;
        }

        var type = media.MediaType.Value ?? "";
        var isJson =
            type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        if (!isJson || !media.Charset.HasValue)
        {
            return null;
        }

        var charset = media.Charset.Value?.Trim('"') ?? "";
        return Accepted.Contains(charset, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"a JSON body must be UTF-8; charset '{charset}' is not accepted";
    }
}
