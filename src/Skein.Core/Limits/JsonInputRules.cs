using System.Text;
using System.Text.Json;

namespace Skein.Core.Limits;

/// <summary>
/// What a JSON value from outside (a run input) must be before it is stored: nested at most
/// <see cref="MaxDepth"/> levels, so the session, its events and every answer that wraps it stay under the JSON
/// writer's depth limit, and text that is valid Unicode (no lone surrogates, no invalid UTF-8), which every later
/// writer would refuse.
/// </summary>
public static class JsonInputRules
{
    /// <summary>Deepest nesting of objects and arrays in a run input.</summary>
    public const int MaxDepth = 32;

    private static readonly UTF8Encoding Strict = new(
        encoderShouldEmitUTF8Identifier: false,
        throwOnInvalidBytes: true
    );

    /// <summary>Why <paramref name="value"/> cannot be stored, or null when it can.</summary>
    public static string? Check(JsonElement value, string what = "input")
    {
        try
        {
            return Walk(value, what);
        }
        catch (InvalidOperationException)
        {
            // Text that is not valid UTF-8 cannot even be read back.
            return NotText(what);
        }
    }

    private static string? Walk(JsonElement value, string what)
    {
        var pending = new Stack<(JsonElement Value, int Depth)>();
        pending.Push((value, 0));
        while (pending.TryPop(out var item))
        {
            switch (item.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    if (item.Depth + 1 > MaxDepth)
                    {
                        return TooDeep(what);
                    }

                    foreach (var property in item.Value.EnumerateObject())
                    {
                        if (!IsText(property.Name))
                        {
                            return NotText(what);
                        }

                        pending.Push((property.Value, item.Depth + 1));
                    }

                    break;
                case JsonValueKind.Array:
                    if (item.Depth + 1 > MaxDepth)
                    {
                        return TooDeep(what);
                    }

                    foreach (var element in item.Value.EnumerateArray())
                    {
                        pending.Push((element, item.Depth + 1));
                    }

                    break;
                case JsonValueKind.String:
                    if (!IsText(item.Value.GetString()))
                    {
                        return NotText(what);
                    }

                    break;
                case JsonValueKind.Number when !item.Value.TryGetDouble(out var number) || !double.IsFinite(number):
                    return $"{what} holds a number out of range";
            }
        }

        return null;
    }

    private static bool IsText(string? text)
    {
        if (text is null)
        {
            return true;
        }

        try
        {
            Strict.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    private static string TooDeep(string what) => $"{what} nests deeper than {MaxDepth} levels";

    private static string NotText(string what) => $"{what} holds text that is not valid Unicode (a lone surrogate)";
}
