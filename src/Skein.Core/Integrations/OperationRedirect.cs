namespace Skein.Core.Integrations;

/// <summary>Where a redirect leads, or why it is not followed (<see cref="Refusal"/>).</summary>
public sealed record RedirectStep(Uri? Url, string Method, bool KeepBody, string? Refusal);

/// <summary>
/// Which redirects an operation call follows. Automatic redirects are off on the tools' HttpClient, because it
/// would carry custom credential headers (X-Api-Key) to any host; the tool follows a redirect only to the
/// integration's own origin (scheme, host and port), at most <see cref="MaxRedirects"/> times, and otherwise hands
/// the 3xx to the model as the result.
/// </summary>
public static class OperationRedirect
{
    public const int MaxRedirects = 5;

    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    /// <param name="baseUrl">The integration's base URL: the origin its credential belongs to.</param>
    /// <param name="current">The URL that answered with <paramref name="status"/>.</param>
    /// <param name="followed">How many redirects were already followed for this call.</param>
    public static RedirectStep Next(Uri baseUrl, Uri current, int status, string method, Uri? location, int followed)
    {
        if (location is null)
        {
            return Refused(method, "the redirect has no Location");
        }

        var target = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (!OperationUrl.SameOrigin(target, baseUrl))
        {
            return Refused(
                method,
                $"redirect to another origin ({target.GetLeftPart(UriPartial.Authority)}) not followed"
            );
        }

        if (followed >= MaxRedirects)
        {
            return Refused(method, $"more than {MaxRedirects} redirects; not followed");
        }

        // As browsers do: 303 (and 301/302 after a POST) becomes a GET without the body; 307/308 repeat the request.
        var toGet = status == 303 || (status is 301 or 302 && method == "POST");
        return toGet ? new RedirectStep(target, "GET", false, null) : new RedirectStep(target, method, true, null);
    }

    private static RedirectStep Refused(string method, string why) => new(null, method, false, why);
}
