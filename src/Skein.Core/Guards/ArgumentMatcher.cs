using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skein.Core.Guards;

/// <summary>Evaluates one <see cref="ArgumentCondition"/> against a call's arguments.</summary>
internal static class ArgumentMatcher
{
    /// <summary>
    /// Whether the condition holds. When it could not be evaluated (a pattern that timed out or does not compile, an
    /// unknown op) <paramref name="error"/> says why and the result is false; the caller fails closed on it.
    /// </summary>
    public static bool Matches(ArgumentCondition condition, JsonElement arguments, out string? error)
    {
        error = null;
        var present = TryResolve(arguments, condition.Path, out var actual);
        switch (condition.Op)
        {
            case ArgumentOps.Exists:
                return present;
            case ArgumentOps.NotExists:
                return !present;
        }

        if (!present || condition.Value is not { } value)
        {
            return false;
        }

        switch (condition.Op)
        {
            case ArgumentOps.Gt:
                return CompareNumbers(actual, value) > 0;
            case ArgumentOps.Gte:
                return CompareNumbers(actual, value) >= 0;
            case ArgumentOps.Lt:
                return CompareNumbers(actual, value) < 0;
            case ArgumentOps.Lte:
                return CompareNumbers(actual, value) <= 0;
            case ArgumentOps.Eq:
                return JsonEquals(actual, value);
            case ArgumentOps.Ne:
                return !JsonEquals(actual, value);
            case ArgumentOps.In:
                return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(v => JsonEquals(actual, v));
            case ArgumentOps.NotIn:
                return value.ValueKind == JsonValueKind.Array
                    && !value.EnumerateArray().Any(v => JsonEquals(actual, v));
            case ArgumentOps.Matches:
                return IsMatch(actual, value, out error);
            default:
                error = $"unknown op '{condition.Op}'";
                return false;
        }
    }

    /// <summary>Walks a dot path; a numeric segment indexes an array. A JSON null counts as absent.</summary>
    public static bool TryResolve(JsonElement root, string path, out JsonElement value)
    {
        value = root;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        foreach (var segment in path.Split('.'))
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var property))
            {
                value = property;
            }
            else if (
                value.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < value.GetArrayLength()
            )
            {
                value = value[index];
            }
            else
            {
                return false;
            }
        }

        return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
    }

    /// <summary>Compares as decimals when both fit (exact for money), else as doubles; null when either is not a
    /// number.</summary>
    private static int? CompareNumbers(JsonElement a, JsonElement b)
    {
        if (TryDecimal(a, out var da) && TryDecimal(b, out var db))
        {
            return da.CompareTo(db);
        }

        if (TryDouble(a, out var xa) && TryDouble(b, out var xb))
        {
            return xa.CompareTo(xb);
        }

        return null;
    }

    private static bool TryDecimal(JsonElement e, out decimal d)
    {
        d = 0;
        return e.ValueKind switch
        {
            JsonValueKind.Number => e.TryGetDecimal(out d),
            JsonValueKind.String => decimal.TryParse(
                e.GetString(),
                NumberStyles.Float,
                CultureInfo.InvariantCulture,
                out d
            ),
            _ => false,
        };
    }

    private static bool TryDouble(JsonElement e, out double x)
    {
        x = 0;
        var parsed = e.ValueKind switch
        {
            JsonValueKind.Number => e.TryGetDouble(out x),
            JsonValueKind.String => double.TryParse(
                e.GetString(),
                NumberStyles.Float,
                CultureInfo.InvariantCulture,
                out x
            ),
            _ => false,
        };
        return parsed && double.IsFinite(x);
    }

    /// <summary>Structural equality; numbers compare numerically, objects ignore property order.</summary>
    private static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return CompareNumbers(a, b) == 0;
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                return a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => JsonEquals(pair.First, pair.Second));
            case JsonValueKind.Object:
                var left = Properties(a);
                var right = Properties(b);
                return left.Count == right.Count
                    && left.All(p => right.TryGetValue(p.Key, out var other) && JsonEquals(p.Value, other));
            default:
                return true;
        }
    }

    // Last one wins for a repeated name, as System.Text.Json deserialization does.
    private static Dictionary<string, JsonElement> Properties(JsonElement obj)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            properties[p.Name] = p.Value;
        }

        return properties;
    }

    private static bool IsMatch(JsonElement actual, JsonElement pattern, out string? error)
    {
        error = null;
        if (actual.ValueKind != JsonValueKind.String || pattern.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            return Regex.IsMatch(
                actual.GetString() ?? "",
                pattern.GetString() ?? "",
                RegexOptions.CultureInvariant,
                GuardEvaluator.RegexTimeout
            );
        }
        catch (RegexMatchTimeoutException)
        {
            error = $"pattern timed out after {GuardEvaluator.RegexTimeout.TotalMilliseconds:0} ms";
            return false;
        }
        catch (ArgumentException e)
        {
            error = $"pattern is not a valid regular expression ({e.Message})";
            return false;
        }
    }
}
