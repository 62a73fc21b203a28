using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Skein.Manifests.Export;

/// <summary>Ordered plain objects (mappings, lists, scalars) → YAML text, and JSON values → such objects.</summary>
internal static class YamlTree
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithIndentedSequences()
        .Build();

    public static string Write(object tree) => Serializer.Serialize(tree);

    public static OrderedDictionary<string, object?> Map() => new(StringComparer.Ordinal);

    public static object? FromJson(string? json) => json is null ? null : FromJson(JsonNode.Parse(json));

    public static object? FromJson(JsonNode? node) =>
        node switch
        {
            null => null,
            JsonObject obj => obj.Aggregate(Map(), (map, kv) =>
            {
                map[kv.Key] = FromJson(kv.Value);
                return map;
            }),
            JsonArray arr => arr.Select(FromJson).ToList(),
            JsonValue value => value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when value.TryGetValue<long>(out var l) => l,
                JsonValueKind.Number => value.GetValue<double>(),
                _ => null,
            },
            _ => null,
        };
}
