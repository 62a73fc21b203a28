using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Skein.Core.Triggers;

/// <summary>
/// The event-trigger signature (SPEC section 8): <c>X-Skein-Timestamp: &lt;unix seconds&gt;</c> and
/// <c>X-Skein-Signature: sha256=&lt;hex HMAC-SHA256, keyed with the trigger's secret, of
/// "&lt;timestamp&gt;.&lt;delivery id or empty&gt;.&lt;raw body&gt;"&gt;</c>. Signing the timestamp bounds a replay
/// to <see cref="Tolerance"/>; signing the delivery id stops a replayer from changing it to defeat deduplication.
/// Compared in constant time so timing reveals nothing.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Skein-Signature";
    public const string TimestampHeaderName = "X-Skein-Timestamp";
    public const string DeliveryHeaderName = "X-Skein-Delivery";

    /// <summary>Longest delivery id accepted (SPEC section 8).</summary>
    public const int MaxDeliveryIdLength = 200;

    /// <summary>How far a delivery's timestamp may be from the server clock, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string Prefix = "sha256=";

    /// <summary>The <c>X-Skein-Signature</c> value for a delivery sent at <paramref name="timestamp"/>.</summary>
    public static string Compute(string secret, long timestamp, string? deliveryId, ReadOnlySpan<byte> body) =>
        Prefix
        + Convert.ToHexStringLower(Hash(secret, timestamp.ToString(CultureInfo.InvariantCulture), deliveryId, body));

    /// <summary>
    /// Why the delivery is not authentic, or null when it is: the signature must match the timestamp header, the
    /// delivery id (empty when absent) and the body, and the timestamp must be within <see cref="Tolerance"/> of
    /// <paramref name="now"/>.
    /// </summary>
    public static string? Check(
        string? secret,
        string? timestampHeader,
        string? deliveryId,
        ReadOnlySpan<byte> body,
        string? signatureHeader,
        DateTimeOffset now
    )
    {
        if (string.IsNullOrEmpty(signatureHeader))
        {
            return $"missing {HeaderName} header";
        }

        if (string.IsNullOrEmpty(timestampHeader))
        {
            return $"missing {TimestampHeaderName} header";
        }

        if (
            timestampHeader.Length > 12
            || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        )
        {
            return $"{TimestampHeaderName} must be the unix time in seconds";
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((now - sent).Duration() > Tolerance)
        {
            return $"{TimestampHeaderName} is more than {Tolerance.TotalMinutes:0} minutes from the server clock";
        }

        if (
            string.IsNullOrEmpty(secret)
            || !signatureHeader.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !TryHex(signatureHeader.AsSpan(Prefix.Length).Trim(), out var given)
        )
        {
            return "signature does not match the delivery";
        }

        var expected = Hash(secret, timestampHeader, deliveryId, body);
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : "signature does not match the delivery";
    }

    private static byte[] Hash(string secret, string timestamp, string? deliveryId, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes($"{timestamp}.{deliveryId}."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = [];
        if (hex.Length != 64)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
