using System.Text.Json.Serialization;

namespace Skein.Core.Usage;

/// <summary>
/// A model's prices in US dollars per million tokens (SPEC section 12: a provider's <c>prices</c>). Cached input
/// tokens cost <see cref="CachedInputPerMTok"/> when set, else the input price.
/// </summary>
public sealed record ModelPrice(
    [property: JsonRequired] decimal InputPerMTok,
    [property: JsonRequired] decimal OutputPerMTok,
    decimal? CachedInputPerMTok = null
)
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>The cost of one model call; null when the provider reported no usage (unknown, not free).</summary>
    public decimal? CostOf(StepUsage usage)
    {
        if (usage.Missing)
        {
            return null;
        }

        var input = usage.InputTokens ?? 0;
        var cached = Math.Min(usage.CachedInputTokens ?? 0, input);
        var output = usage.OutputTokens ?? 0;
        return (
                (input - cached) * InputPerMTok + cached * (CachedInputPerMTok ?? InputPerMTok) + output * OutputPerMTok
            ) / PerMillion;
    }
}
