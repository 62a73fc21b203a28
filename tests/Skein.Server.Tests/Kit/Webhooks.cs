using System.Globalization;
using System.Text;
using Skein.Core.Triggers;

namespace Skein.Server.Tests;

/// <summary>Webhook deliveries signed as a sender does (SPEC section 8): timestamp, delivery id and body.</summary>
public static class Webhooks
{
    /// <summary>A JSON POST of <paramref name="body"/> to <paramref name="url"/>, signed with
    /// <paramref name="secret"/> at <paramref name="at"/> (now when null).</summary>
    public static HttpRequestMessage Signed(
        string url,
        string secret,
        string body,
        string? deliveryId = null,
        DateTimeOffset? at = null
    )
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        Sign(request, secret, Encoding.UTF8.GetBytes(body), deliveryId, at);
        return request;
    }

    /// <summary>Adds the timestamp, signature and (when given) delivery id headers.</summary>
    public static void Sign(
        HttpRequestMessage request,
        string secret,
        byte[] body,
        string? deliveryId = null,
        DateTimeOffset? at = null
    )
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(
            WebhookSignature.TimestampHeaderName,
            timestamp.ToString(CultureInfo.InvariantCulture)
        );
        request.Headers.TryAddWithoutValidation(
            WebhookSignature.HeaderName,
            WebhookSignature.Compute(secret, timestamp, deliveryId, body)
        );
        if (deliveryId is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.DeliveryHeaderName, deliveryId);
        }
    }
}
