using System.Security.Cryptography;
using System.Text;

namespace Skein.Core.Triggers;

/// <summary>
/// The event-trigger signature (SPEC section 8): <c>X-Skein-Signature: sha256=&lt;hex HMAC-SHA256 of the raw
/// body keyed with the trigger's secret&gt;</c>. Compared in constant time so timing reveals nothing.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Skein-Signature";
    public const string DeliveryHeaderName = "X-Skein-Delivery";
    private const string Prefix = "sha256=";

    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (
            string.IsNullOrEmpty(secret)
            || header is null
            || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
        )
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(Prefix.Length).Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
