using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Limits;
using Skein.Core.Redaction;
using Skein.Core.Triggers;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Triggers;

namespace Skein.Engine.Triggers;

/// <summary>
/// Receives an event trigger's webhook delivery: checks the signature (timestamp, delivery id and body), picks the
/// input out of the payload, deduplicates by delivery id, starts an <c>event</c> session, and writes every
/// authenticated attempt to the ingress log. A refusal before authentication stores nothing but a count
/// (<see cref="RefusedDeliveries"/>): whoever lacks the secret cannot grow the store.
/// </summary>
public sealed partial class EventIngress(
    IDbContextFactory<SkeinDbContext> contexts,
    TriggerQueries triggers,
    SecretStore secrets,
    IngressLog log,
    TriggerStarts starts,
    RefusedDeliveries refused,
    TimeProvider time
)
{
    public const int MaxDeliveryIdLength = WebhookSignature.MaxDeliveryIdLength;

    public async Task<IngressResult> ReceiveAsync(
        Guid triggerId,
        byte[] body,
        WebhookHeaders headers,
        CancellationToken cancellationToken
    )
    {
        var trigger = await triggers.FindAsync(triggerId, cancellationToken);
        if (trigger is null || trigger.Type != TriggerTypes.Event || !trigger.Active)
        {
            return IngressResult.Refused(DomainError.NotFound("trigger", triggerId));
        }

        var deliveryId = headers.DeliveryId;
        if (deliveryId is { Length: > MaxDeliveryIdLength })
        {
            var tooLong = $"{WebhookSignature.DeliveryHeaderName} is at most {MaxDeliveryIdLength} characters";
            refused.Add(trigger.TenantId, trigger.Id, tooLong);
            return IngressResult.Refused(DomainError.Invalid(tooLong));
        }

        var settings = TriggerQueries.Settings<EventTriggerSettings>(trigger);
        var secret = string.IsNullOrEmpty(settings.SigningSecretName)
            ? null
            : await secrets.GetAsync(trigger.TenantId, settings.SigningSecretName, cancellationToken);

        // Without a secret no signature can be right: refuse rather than accept unsigned deliveries.
        var refusal = WebhookSignature.Check(
            secret,
            headers.Timestamp,
            deliveryId,
            body,
            headers.Signature,
            time.GetUtcNow()
        );
        if (refusal is not null)
        {
            refused.Add(trigger.TenantId, trigger.Id, refusal);
            return IngressResult.Refused(new DomainError("invalid_signature", refusal));
        }

        // Authenticated from here on: the attempt is logged, its payload redacted.
        JsonElement? payload = TryParse(body);
        var entry = new TriggerIngressRow
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
            DeliveryId = deliveryId,
            RedactedPayload = payload is { } p
                ? PayloadRedaction.Redact(p, IngressLog.MaxPayloadChars)
                : PayloadRedaction.Cap(System.Text.Encoding.UTF8.GetString(body), IngressLog.MaxPayloadChars),
        };
        if (payload is not { } json)
        {
            return await RejectAsync(entry, "the body is not valid JSON", cancellationToken);
        }

        if (JsonInputRules.Check(json, "the payload") is { } unusable)
        {
            return await RejectAsync(entry, unusable, cancellationToken);
        }

        var (selected, pathError) = PayloadSelection.Select(json, settings.InputPath);
        if (pathError is not null)
        {
            return await RejectAsync(entry, pathError, cancellationToken);
        }

        if (selected is not { ValueKind: JsonValueKind.Object or JsonValueKind.Null })
        {
            return await RejectAsync(
                entry,
                "the run input (the payload, or the part at the trigger's input path) must be a JSON object",
                cancellationToken
            );
        }

        if (
            deliveryId is not null
            && await log.ClaimDeliveryAsync(trigger.Id, deliveryId, cancellationToken) is { } first
        )
        {
            if (first.SessionId is not { } firstSession || first.RunId is not { } firstRun)
            {
                return IngressResult.Refused(DomainError.Conflict("a delivery with this id is still being processed"));
            }

            entry.Outcome = IngressOutcomes.Duplicate;
            entry.SessionId = firstSession;
            entry.RunId = firstRun;
            await starts.RecordAsync(entry, TriggerStartPolicy.Event, cancellationToken);
            return IngressResult.Duplicate(firstSession, firstRun, await StatusAsync(firstSession, cancellationToken));
        }

        return await StartAsync(trigger, entry, selected.Value, deliveryId, cancellationToken);
    }

    private async Task<IngressResult> StartAsync(
        TriggerRow trigger,
        TriggerIngressRow entry,
        JsonElement input,
        string? deliveryId,
        CancellationToken cancellationToken
    )
    {
        // Once a delivery id is claimed the start must finish or release it: a sender that hangs up mid-start would
        // otherwise leave the id "still being processed" and every retry of that delivery refused.
        var outcome = await starts.StartAsync(
            trigger,
            entry,
            input,
            Actor.Trigger(trigger.Id),
            TriggerStartPolicy.Event,
            deliveryId is null ? cancellationToken : CancellationToken.None,
            deliveryId
        );
        return IngressResult.Of(outcome);
    }

    private async Task<IngressResult> RejectAsync(
        TriggerIngressRow entry,
        string error,
        CancellationToken cancellationToken
    )
    {
        entry.Outcome = IngressOutcomes.Rejected;
        entry.Error = error;
        await starts.RecordAsync(entry, TriggerStartPolicy.Event, cancellationToken);
        return IngressResult.Refused(DomainError.Invalid(error));
    }

    private async Task<string> StatusAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId)
            .Select(s => s.Status)
            .FirstOrDefaultAsync(cancellationToken)
            ?? "Running";
    }

    private static JsonElement? TryParse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The headers of a webhook delivery that authenticate it (SPEC section 8), as sent.</summary>
public sealed record WebhookHeaders(string? Timestamp, string? Signature, string? DeliveryId);

public enum IngressResultKind
{
    Started,
    Duplicate,
    Refused,
}

/// <summary>What a webhook delivery came to: a started session, the first session of a repeated delivery, or the
/// error that refused it (the endpoint turns that into problem JSON).</summary>
public sealed record IngressResult(
    IngressResultKind Kind,
    Guid? SessionId = null,
    Guid? RunId = null,
    string? Status = null,
    DomainError? Error = null
)
{
    public static IngressResult Started(Guid sessionId, Guid runId, string status) =>
        new(IngressResultKind.Started, sessionId, runId, status);

    public static IngressResult Duplicate(Guid sessionId, Guid runId, string status) =>
        new(IngressResultKind.Duplicate, sessionId, runId, status);

    public static IngressResult Refused(DomainError error) => new(IngressResultKind.Refused, Error: error);

    /// <summary>A start's outcome: started, or the rule or failure that refused it.</summary>
    public static IngressResult Of(TriggerStartOutcome outcome) =>
        outcome.Run is { } run
            ? Started(run.SessionId, run.RunId, run.State.Status.ToString())
            : Refused(outcome.Error!);
}
