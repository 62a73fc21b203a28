using System.Collections.Immutable;
using System.Text.Json;

namespace Skein.Core.Usage;

/// <summary>The per-model prices of one provider, and the rules a price list must meet.</summary>
public sealed record ModelPrices(ImmutableSortedDictionary<string, ModelPrice> ByModel)
{
    public const int MaxModels = 200;
    public const decimal MaxPerMTok = 100_000m;

    public static readonly ModelPrices Empty = new(ImmutableSortedDictionary<string, ModelPrice>.Empty);

    public static ModelPrices Of(IReadOnlyDictionary<string, ModelPrice>? prices) =>
        prices is null || prices.Count == 0
            ? Empty
            : new ModelPrices(prices.ToImmutableSortedDictionary(StringComparer.Ordinal));

    /// <summary>The wire and stored form: <c>{model: {inputPerMTok, outputPerMTok, cachedInputPerMTok}}</c>.</summary>
    public static ModelPrices Parse(string? json) =>
        string.IsNullOrWhiteSpace(json)
            ? Empty
            : Of(JsonSerializer.Deserialize<Dictionary<string, ModelPrice>>(json, WireOptions));

    public string ToJson() => JsonSerializer.Serialize(ByModel, WireOptions);

    private static readonly JsonSerializerOptions WireOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The cost of a call to <paramref name="model"/>; null when the model has no price or usage is
    /// missing.</summary>
    public decimal? CostOf(string model, StepUsage usage) =>
        ByModel.TryGetValue(model, out var price) ? price.CostOf(usage) : null;

    /// <summary>Every problem of a price list, as <c>prices.&lt;model&gt;: problem</c>; null when it is
    /// valid.</summary>
    public static DomainError? Check(IReadOnlyDictionary<string, ModelPrice?>? prices)
    {
        if (prices is null)
        {
            return null;
        }

        if (prices.Count > MaxModels)
        {
            return DomainError.Invalid($"prices: at most {MaxModels} models");
        }

        foreach (var (model, price) in prices)
        {
            if (string.IsNullOrWhiteSpace(model) || model.Length > Providers.ProviderRules.MaxModelIdLength)
            {
                return DomainError.Invalid(
                    $"prices: model ids are non-blank and at most {Providers.ProviderRules.MaxModelIdLength} characters"
                );
            }

            if (price is null)
            {
                return DomainError.Invalid($"prices.{model}: needs inputPerMTok and outputPerMTok");
            }

            if (!InRange(price.InputPerMTok) || !InRange(price.OutputPerMTok) || !InRange(price.CachedInputPerMTok))
            {
                return DomainError.Invalid(
                    $"prices.{model}: prices per million tokens are between 0 and {MaxPerMTok} US dollars"
                );
            }
        }

        return null;
    }

    private static bool InRange(decimal? value) => value is null or (>= 0 and <= MaxPerMTok);
}
