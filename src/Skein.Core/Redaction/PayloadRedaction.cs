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

    /// <summary>The redacted JSON text, cut at <paramref name="maxChars"/> characters (with a marker).</summary>
    public static string Redact(JsonElement payload, int maxChars)
    {
        var node = JsonNode.Parse(payload.GetRawText());
        Walk(node);
        return Cap(node?.ToJsonString() ?? "null", maxChars);
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
