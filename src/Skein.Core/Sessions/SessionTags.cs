using System.Text.Json;

namespace Skein.Core.Sessions;

/// <summary>
/// The <c>tags</c> a start body may carry (<c>{key: value}</c>): bounded in count and size, kept on the session, and
/// matched as <c>tag=key:value</c> by the session search. One canonical JSON form (keys sorted) so a filter finds a tag
/// by its exact text.
/// </summary>
public static class SessionTags
{
    public const int MaxTags = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 256;

    /// <summary>Null when <paramref name="tags"/> is a usable set of tags, else what is wrong with it.</summary>
    public static string? Check(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        if (tags.Count > MaxTags)
        {
            return $"at most {MaxTags} tags";
        }

        foreach (var (key, value) in tags)
        {
            if (CheckKey(key) is { } badKey)
            {
                return badKey;
            }

            if (value is null || value.Length > MaxValueLength)
            {
                return $"tag '{key}' needs a value of at most {MaxValueLength} characters";
            }
        }

        return null;
    }

    /// <summary>Keys are short names (letters, digits, <c>_ - .</c>), so <c>key:value</c> splits at the first
    /// colon.</summary>
    public static string? CheckKey(string key) =>
        key.Length is 0 or > MaxKeyLength || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
            ? $"tag keys are 1 to {MaxKeyLength} letters, digits, '_', '-' or '.' (got '{Shorten(key)}')"
            : null;

    /// <summary>The stored form: a JSON object with sorted keys, or null for no tags.</summary>
    public static string? Json(IReadOnlyDictionary<string, string>? tags) =>
        tags is null || tags.Count == 0
            ? null
            : JsonSerializer.Serialize(
                new SortedDictionary<string, string>(tags.ToDictionary(), StringComparer.Ordinal)
            );

    /// <summary>The exact text one tag has inside <see cref="Json"/>: a filter matches it as a substring.</summary>
    public static string Needle(string key, string value) =>
        JsonSerializer.Serialize(key) + ":" + JsonSerializer.Serialize(value);

    /// <summary>Parses the stored form back.</summary>
    public static IReadOnlyDictionary<string, string>? Parse(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<SortedDictionary<string, string>>(json);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
