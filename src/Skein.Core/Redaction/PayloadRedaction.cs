using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skein.Core.Redaction;

/// <summary>
/// What the trigger ingress log keeps of a payload: values of fields whose names look like credentials
/// are replaced, and the text is capped, so the log helps debugging without becoming a secret store.
/// </summary>
public static class PayloadRedaction
{
    public const string Mask = "[redacted]";

    private static readonly string[] SensitiveParts =
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "authorization",
        "credential",
        "private_key",
        "signature",
        "cookie",
    ];

    public static bool IsSensitiveName(string name) =>
        SensitiveParts.Any(p => name.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>What is kept of a payload that valid JSON text alone cannot redact safely.</summary>
    public const string Unredactable =
        "\"[payload not kept: it repeats a property name or holds text that is not valid Unicode]\"";

    /// <summary>The redacted JSON text, cut at <paramref name="maxChars"/> characters (with a marker). A payload
    /// with duplicate property names or lone surrogates is not kept at all rather than kept unredacted.</summary>
    public static string Redact(JsonElement payload, int maxChars)
    {
        try
        {
            var node = JsonNode.Parse(payload.GetRawText());
            Walk(node);
            return Cap(node?.ToJsonString() ?? "null", maxChars);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException)
        {
            return Unredactable;
        }
    }

    /// <summary>A body that is not JSON is logged as capped text only.</summary>
    public static string Cap(string text, int maxChars) =>
        text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, maxChars), "… [truncated]");

    private static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (IsSensitiveName(name))
                    {
                        obj[name] = Mask;
                    }
                    else
                    {
                        Walk(obj[name]);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item);
                }

                break;
        }
    }
}
