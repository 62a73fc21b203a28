using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Engine.Triggers;
using Skein.Server.Security;

namespace Skein.Server.Api.Hooks;

/// <summary>
/// Event trigger ingress (SPEC section 8): <c>POST /hooks/{triggerId}</c>, authenticated by the HMAC-SHA256
/// signature of "timestamp.delivery id.raw body", not by a key. Unknown and inactive triggers are both 404, to leak
/// nothing.
/// </summary>
public static class HookEndpoints
{
    /// <summary>Largest webhook body accepted; the trigger's own <c>maxInputBytes</c> is enforced before the handler
    /// runs (<see cref="InputSizeLimit"/>).</summary>
    public const int MaxBodyBytes = Core.Limits.InputLimits.LargestMaxInputBytes;

    public static IEndpointRouteBuilder MapHooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/{triggerId:guid}", ReceiveAsync)
            .WithName("ReceiveWebhook")
            .WithTags("Webhooks")
            .WithSummary(
                "Event trigger delivery: X-Skein-Timestamp: <unix seconds> and X-Skein-Signature: sha256=<hex HMAC "
                    + "of \"<timestamp>.<delivery id or empty>.<raw body>\">, optional X-Skein-Delivery id (at most "
                    + "200 characters); 202, or 200 for a duplicate; 401 for a bad signature or a timestamp more "
                    + "than 5 minutes off"
            )
            .WithInputLimit(InputLimitScope.Trigger)
            .AllowAnonymous();
        return app;
    }

    public sealed record HookResponse(Guid SessionId, Guid RunId, string Status, bool DuplicateDelivery);

    private static async Task<Results<Accepted<HookResponse>, Ok<HookResponse>, ProblemHttpResult>> ReceiveAsync(
        Guid triggerId,
        HttpRequest request,
        EventIngress ingress,
        CancellationToken cancellationToken
    )
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        var delivery = request.Headers[WebhookSignature.DeliveryHeaderName].FirstOrDefault();
        var headers = new WebhookHeaders(
            request.Headers[WebhookSignature.TimestampHeaderName].FirstOrDefault()?.Trim(),
            request.Headers[WebhookSignature.HeaderName].FirstOrDefault(),
            string.IsNullOrWhiteSpace(delivery) ? null : delivery.Trim()
        );
        var result = await ingress.ReceiveAsync(triggerId, buffer.ToArray(), headers, cancellationToken);
        return result switch
        {
            { Kind: IngressResultKind.Started, SessionId: { } s, RunId: { } r } => TypedResults.Accepted(
                (string?)null,
                new HookResponse(s, r, result.Status ?? "Running", false)
            ),
            { Kind: IngressResultKind.Duplicate, SessionId: { } s, RunId: { } r } => TypedResults.Ok(
                new HookResponse(s, r, result.Status ?? "Running", true)
            ),
            _ => Problems.From(result.Error ?? DomainError.Invalid("the delivery was refused")),
        };
    }

    private static ProblemHttpResult TooLarge() =>
        Problems.Of("payload_too_large", $"a webhook body is at most {MaxBodyBytes} bytes");
}
