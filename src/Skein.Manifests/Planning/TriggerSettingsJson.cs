using System.Text.Json;
using System.Text.Json.Nodes;
using Skein.Core;
using Skein.Core.Triggers;

namespace Skein.Manifests.Planning;

/// <summary>
/// The stored settings JSON of each trigger type, normalized so a trigger written by any route compares equal when its
/// settings mean the same. Shapes agreed with the trigger routes: api = <see cref="ApiTriggerSettings"/> in snake_case,
/// scheduled = <c>{cron, time_zone, input}</c>, event = <c>{signing_secret_name, input_path}</c>.
/// </summary>
public static class TriggerSettingsJson
{
    public static string Api(ApiTriggerSettings settings) => JsonSerializer.Serialize(settings, SkeinJson.Options);

    public static string Scheduled(string cron, string timeZone, JsonElement? input) =>
        new JsonObject
        {
            ["cron"] = cron,
            ["time_zone"] = timeZone,
            ["input"] = input is { ValueKind: not JsonValueKind.Null } i ? JsonNode.Parse(i.GetRawText()) : null,
        }.ToJsonString();

    public static string Event(string signingSecretName, string? inputPath) =>
        new JsonObject { ["signing_secret_name"] = signingSecretName, ["input_path"] = inputPath }.ToJsonString();

    /// <summary>Re-renders stored settings in the canonical shape of their type (unknown fields dropped).</summary>
    public static string Normalize(string type, string stored)
    {
        var node = JsonNode.Parse(string.IsNullOrWhiteSpace(stored) ? "{}" : stored) as JsonObject ?? [];
        return type switch
        {
            TriggerTypes.Api => Api(
                JsonSerializer.Deserialize<ApiTriggerSettings>(node.ToJsonString(), SkeinJson.Options)
                    ?? new ApiTriggerSettings()
            ),
            TriggerTypes.Scheduled => Scheduled(
                Text(node, "cron") ?? "",
                Text(node, "time_zone") ?? "UTC",
                node["input"] is { } input ? JsonSerializer.SerializeToElement(input) : null
            ),
            TriggerTypes.Event => Event(Text(node, "signing_secret_name") ?? "", Text(node, "input_path")),
            _ => node.ToJsonString(),
        };
    }

    public static string? Text(JsonObject node, string key) =>
        node[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
