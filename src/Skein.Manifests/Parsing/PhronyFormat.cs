using System.Text.Json.Nodes;

namespace Skein.Manifests.Parsing;

/// <summary>
/// Reads the keys Phrony's manifest format spells differently, before the schema check, so each one is either applied
/// with the same meaning or refused with an error at its line; none is dropped as an unknown key. Providers:
/// <c>anthropic</c>; <c>openai_azure</c> and <c>self_hosted</c> are OpenAI-compatible endpoints, so <c>openai</c> with
/// the base URL they require; <c>baseUrlOverride</c> is <c>baseUrl</c>. Scheduled triggers: <c>cronExpression</c>,
/// <c>timezone</c>, <c>inputPayload</c>; api triggers: <c>ipWhitelist</c>. Versions: <c>anomalyControl</c> +
/// <c>rules</c> become <c>guardRules</c> (<see cref="PhronyRules"/>).
/// </summary>
internal static class PhronyFormat
{
    public const string OpenAiAzure = "openai_azure";
    public const string SelfHosted = "self_hosted";

    private static readonly (string Phrony, string Skein)[] TriggerKeys =
    [
        ("cronExpression", "cron"),
        ("timezone", "timeZone"),
        ("inputPayload", "input"),
        ("ipWhitelist", "ipAllowlist"),
    ];

    public static void Normalize(JsonObject document, LineMap lines, List<ManifestProblem> errors)
    {
        foreach (var (item, path) in Items(document, "llmProviders"))
        {
            Provider(item, path, lines, errors);
        }

        foreach (var (item, path) in Items(document, "versions"))
        {
            PhronyRules.Translate(item, path, lines, errors);
        }

        foreach (var (item, path) in Items(document, "triggers"))
        {
            Trigger(item, path, lines, errors);
        }
    }

    private static void Provider(JsonObject provider, string path, LineMap lines, List<ManifestProblem> errors)
    {
        Rename(provider, path, "baseUrlOverride", "baseUrl", lines, errors);
        if (provider["type"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return;
        }

        var type = provider["type"]!.GetValue<string>();
        if (type is not (OpenAiAzure or SelfHosted))
        {
            return;
        }

        provider["type"] = Core.Providers.ProviderKinds.OpenAI;
        if (provider["baseUrl"] is null)
        {
            var example =
                type == OpenAiAzure
                    ? "the resource's v1 endpoint, https://<resource>.openai.azure.com/openai/v1/"
                    : "the server's OpenAI-compatible URL, e.g. http://ollama:11434/v1";
            errors.Add(lines.Problem($"{path}.type", $"{type} needs baseUrlOverride (or baseUrl): {example}"));
        }
    }

    private static void Trigger(JsonObject trigger, string path, LineMap lines, List<ManifestProblem> errors)
    {
        foreach (var (phrony, skein) in TriggerKeys)
        {
            Rename(trigger, path, phrony, skein, lines, errors);
        }

        if (trigger.ContainsKey("rpdLimit"))
        {
            errors.Add(
                lines.Problem(
                    $"{path}.rpdLimit",
                    "a requests-per-day limit is not enforced by Skein; remove it (rpmLimit limits requests per minute)"
                )
            );
        }

        foreach (var key in new[] { "serviceName", "eventSlug", "eventConfig" }.Where(trigger.ContainsKey))
        {
            errors.Add(
                lines.Problem(
                    $"{path}.{key}",
                    "built-in integration event subscriptions are not available in Skein; an event trigger is a "
                        + "signed webhook (signingSecret, inputPath)"
                )
            );
        }
    }

    /// <summary>Moves <paramref name="from"/> to <paramref name="to"/>; both at once is an error.</summary>
    internal static void Rename(
        JsonObject item,
        string path,
        string from,
        string to,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        if (!item.TryGetPropertyValue(from, out var value))
        {
            return;
        }

        if (item.ContainsKey(to))
        {
            errors.Add(lines.Problem($"{path}.{from}", $"give {to} or {from}, not both"));
            return;
        }

        item.Remove(from);
        item[to] = value;
        lines.Alias($"{path}.{from}", $"{path}.{to}");
    }

    private static IEnumerable<(JsonObject Item, string Path)> Items(JsonObject document, string list)
    {
        if (document[list] is not JsonArray items)
        {
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is JsonObject item)
            {
                yield return (item, $"{list}[{i}]");
            }
        }
    }
}
