using System.Text.Json;

namespace Skein.Core.Integrations;

/// <summary>The URL an operation call goes to, or why the model's arguments cannot make one.</summary>
public sealed record OperationRequestUrl(Uri? Url, IReadOnlyDictionary<string, string> Leftover, string? Error);

/// <summary>
/// Builds an operation's URL from the integration's base URL, the path template and the model's arguments. Model
/// arguments are untrusted: each <c>{name}</c> value becomes exactly one path segment (percent-encoded, so a
/// <c>/</c> or <c>?</c> stays inside it), an empty, <c>.</c> or <c>..</c> segment is refused, and the final URL
/// must stay under the base URL (same scheme, host and port, path below the base path), checked after building.
/// </summary>
public static class OperationUrl
{
    /// <param name="leftoverInQuery">Arguments not used by the path go in the query string (GET and DELETE).</param>
    public static OperationRequestUrl Build(
        string baseUrl,
        string pathTemplate,
        JsonElement arguments,
        bool leftoverInQuery
    )
    {
        var rest = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = pathTemplate;
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in arguments.EnumerateObject())
            {
                var value =
                    p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText();
                var placeholder = "{" + p.Name + "}";
                if (!path.Contains(placeholder, StringComparison.Ordinal))
                {
                    rest[p.Name] = value;
                    continue;
                }

                if (value is "" or "." or "..")
                {
                    return Refused($"argument '{p.Name}' cannot be a path segment: it is '{value}'", rest);
                }

                path = path.Replace(placeholder, Uri.EscapeDataString(value), StringComparison.Ordinal);
            }
        }

        var open = path.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : path.IndexOf('}', open);
        if (close > open)
        {
            return Refused($"argument '{path[(open + 1)..close]}' is missing: the path needs it", rest);
        }

        var url = baseUrl.TrimEnd('/') + "/" + path.TrimStart('/');
        if (leftoverInQuery && rest.Count > 0)
        {
            url +=
                (url.Contains('?', StringComparison.Ordinal) ? "&" : "?")
                + string.Join(
                    "&",
                    rest.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}")
                );
        }

        if (
            !Uri.TryCreate(baseUrl, UriKind.Absolute, out var root)
            || !Uri.TryCreate(url, UriKind.Absolute, out var built)
            || !IsUnder(built, root)
        )
        {
            return Refused("the arguments would take the request outside the integration's base URL", rest);
        }

        return new OperationRequestUrl(built, rest, null);
    }

    /// <summary>
    /// Same origin as <paramref name="root"/> and a path at or below its path. Both are normalized URIs (dot
    /// segments already resolved), so this is what the request will really ask for.
    /// </summary>
    public static bool IsUnder(Uri url, Uri root)
    {
        if (!SameOrigin(url, root))
        {
            return false;
        }

        var basePath = root.AbsolutePath.EndsWith('/') ? root.AbsolutePath : root.AbsolutePath + "/";
        var path = url.AbsolutePath.EndsWith('/') ? url.AbsolutePath : url.AbsolutePath + "/";
        return path.StartsWith(basePath, StringComparison.Ordinal);
    }

    /// <summary>Scheme, host and port equal (the origin a credential was given for).</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static OperationRequestUrl Refused(string error, IReadOnlyDictionary<string, string> rest) =>
        new(null, rest, error);
}
