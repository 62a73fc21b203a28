using System.Text.Json;

namespace Skein.Core.Triggers;

/// <summary>Picks the run input out of an event payload by a dotted path such as <c>data.order</c> (array indexes
/// allowed: <c>items.0</c>).</summary>
public static class PayloadSelection
{
    /// <summary>The selected value, or an error saying which segment was missing.</summary>
    public static (JsonElement? Value, string? Error) Select(JsonElement payload, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return (payload, null);
        }

        var current = payload;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (
                current.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, out var index)
                && index >= 0
                && index < current.GetArrayLength()
            )
            {
                current = current[index];
            }
            else
            {
                return (null, $"the payload has nothing at '{path}' (missing '{segment}')");
            }
        }

        return (current, null);
    }

    /// <summary>Whether a dotted path is well formed: non-empty segments of letters, digits, '_' or '-'.</summary>
    public static bool IsValidPath(string? path) =>
        string.IsNullOrEmpty(path)
        || path.Split('.').All(s => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'));
}
