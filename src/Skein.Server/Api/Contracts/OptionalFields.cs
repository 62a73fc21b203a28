using System.Text.Json.Nodes;

namespace Skein.Server.Api.Contracts;

/// <summary>
/// Optional fields that the Phrony client types as <c>?: string</c> (or <c>?: number</c>) are left out of <c>/v1</c>
/// answers when they have no value, rather than sent as <c>null</c>.
/// </summary>
public static class OptionalFields
{
    /// <summary>Adds <paramref name="name"/> only when <paramref name="value"/> is not null.</summary>
    public static JsonObject WithOptional(this JsonObject json, string name, JsonNode? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }

        return json;
    }
}
