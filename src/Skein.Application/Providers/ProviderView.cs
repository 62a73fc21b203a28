using System.Text.Json;
using Skein.Core.Usage;
using Skein.Engine.Models;
using Skein.Store.Rows;

namespace Skein.Application.Providers;

/// <summary>An LLM provider as shown: the key's secret name, never the key.</summary>
public sealed record ProviderView(
    Guid Id,
    string Name,
    string Kind,
    string? BaseUrl,
    string? ApiKeySecretName,
    IReadOnlyList<string> Models,
    DateTime CreatedAt
)
{
    public static ProviderView From(LlmProviderRow p) =>
        new(
            p.Id,
            p.Name,
            p.Kind,
            p.BaseUrl,
            p.ApiKeySecretName,
            JsonSerializer.Deserialize<List<string>>(p.Models) ?? [],
            p.CreatedAt
        )
        {
            Prices = ModelPrices.Parse(p.Prices).ByModel,
        };

    /// <summary>Per-model prices in US dollars per million tokens (SPEC section 12).</summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices { get; init; } = new Dictionary<string, ModelPrice>();
}

/// <summary>
/// A provider change; a null field keeps its value. An empty <see cref="BaseUrl"/> or <see cref="ApiKeySecretName"/>
/// clears it; an <see cref="ApiKey"/> is stored as a secret the provider points at and never returned.
/// </summary>
public sealed record ProviderChange(
    string? Name,
    string? Kind,
    string? BaseUrl,
    string? ApiKeySecretName,
    string? ApiKey,
    IReadOnlyList<string>? Models
)
{
    /// <summary>Replaces the per-model prices when set (an empty map clears them); a null price is refused.</summary>
    public IReadOnlyDictionary<string, ModelPrice?>? Prices { get; init; }
}

/// <summary>A connection test's answer, with the provider it reached (the key never appears in it).</summary>
public sealed record ProviderTestOutcome(string ProviderName, ConnectionTestResult Result);
