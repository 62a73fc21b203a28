using System.Globalization;
using Skein.Core.Usage;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>
/// A provider's prices as the dashboard form edits them: one model per line, <c>model input output [cached]</c> in US
/// dollars per million tokens. The values are checked by <see cref="ModelPrices.Check"/> in the provider service.
/// </summary>
public static class PriceForm
{
    public static bool TryParse(string? text, out IReadOnlyDictionary<string, ModelPrice?> prices, out string? problem)
    {
        var parsed = new Dictionary<string, ModelPrice?>(StringComparer.Ordinal);
        prices = parsed;
        problem = null;
        var lines = (text ?? "").Split(
            ['\n', '\r'],
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
        );
        foreach (var line in lines)
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (
                parts.Length is not (3 or 4)
                || !Number(parts[1], out var input)
                || !Number(parts[2], out var output)
                || (parts.Length == 4 && !Number(parts[3], out _))
            )
            {
                problem = $"prices: '{line}' is not 'model input output [cached]' (US dollars per million tokens)";
                return false;
            }

            decimal? cached = parts.Length == 4 && Number(parts[3], out var c) ? c : null;
            parsed[parts[0]] = new ModelPrice(input, output, cached);
        }

        return true;
    }

    public static string Format(IReadOnlyDictionary<string, ModelPrice> prices) =>
        string.Join(
            "\n",
            prices.Select(p =>
                string.Join(
                    ' ',
                    new[]
                    {
                        p.Key,
                        Text(p.Value.InputPerMTok),
                        Text(p.Value.OutputPerMTok),
                        p.Value.CachedInputPerMTok is { } cached ? Text(cached) : null,
                    }.OfType<string>()
                )
            )
        );

    private static bool Number(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out value);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
