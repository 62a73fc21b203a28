namespace Skein.Core;

/// <summary>The base URL rule providers and integrations share: an absolute http(s) URL of at most 2000
/// characters.</summary>
public static class BaseUrl
{
    public const int MaxLength = 2000;

    public static bool IsValid(string url) =>
        url.Length <= MaxLength && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
