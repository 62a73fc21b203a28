using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Core;

/// <summary>
/// The one serializer configuration for persisted events and step contents: snake_case field names
/// (the wire names of step contents in SPEC section 1) and status enums as their exact strings.
/// </summary>
public static class SkeinJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            AllowOutOfOrderMetadataProperties = true,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static JsonElement Element<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
