using System.Globalization;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>How the dashboard writes times, durations and token counts (UTC, invariant culture).</summary>
public static class Format
{
    public static string Time(DateTime? at) =>
        at is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    public static string Iso(DateTime at) =>
        DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);

    public static string Duration(DateTime started, DateTime? finished, DateTime now) =>
        Span((finished ?? now) - started);

    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0} ms"
            : span.TotalMinutes < 1 ? $"{span.TotalSeconds:0.0} s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes}m {span.Seconds:00}s"
            : $"{(int)span.TotalHours}h {span.Minutes:00}m";
    }

    public static string Tokens(long tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A cost in US dollars: cents for most, up to six decimals for the fractions of a cent one call
    /// costs.</summary>
    public static string Cost(decimal usd) => "$" + usd.ToString("0.00####", CultureInfo.InvariantCulture);

    /// <summary>The last 8 hex digits: ids are time-ordered UUIDv7, so their first digits repeat within
    /// seconds.</summary>
    public static string Short(Guid id) => id.ToString("N")[^8..];
}
