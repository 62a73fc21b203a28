using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Skein.Core;
using Skein.Core.Redaction;
using Skein.Core.Sessions;
using Skein.Core.Triggers;
using Skein.Engine.Runs;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Triggers;

namespace Skein.Engine.Triggers;

/// <summary>
/// Receives an event trigger's webhook delivery: checks the signature, picks the input out of the payload,
/// deduplicates by delivery id, starts an <c>event</c> session, and writes every attempt to the ingress log.
/// </summary>
public sealed partial class EventIngress(
    IDbContextFactory<SkeinDbContext> contexts,
    SecretStore secrets,
    IngressLog log,
    RunStarter starter,
    ILogger<EventIngress> logger
)
{
    public const int MaxDeliveryIdLength = 200;

    public async Task<IngressResult> ReceiveAsync(
        Guid triggerId,
        byte[] body,
        string? signature,
        string? deliveryId,
        CancellationToken cancellationToken
    )
    {
        TriggerRow? trigger;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            trigger = await db.Triggers.AsNoTracking().FirstOrDefaultAsync(t => t.Id == triggerId, cancellationToken);
        }

        if (trigger is null || trigger.Type != TriggerTypes.Event || !trigger.Active)
        {
            return IngressResult.NotFound();
        }

        var settings = JsonSerializer.Deserialize<EventTriggerSettings>(trigger.Settings, SkeinJson.Options)
            ?? new EventTriggerSettings();
        var secret = string.IsNullOrEmpty(settings.SigningSecretName)
            ? null
            : await secrets.GetAsync(trigger.TenantId, settings.SigningSecretName, cancellationToken);
        var entry = new TriggerIngressRow
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
            DeliveryId = deliveryId,
        };
        JsonElement? payload = TryParse(body);
        entry.RedactedPayload = payload is { } p
            ? PayloadRedaction.Redact(p, IngressLog.MaxPayloadChars)
            : PayloadRedaction.Cap(System.Text.Encoding.UTF8.GetString(body), IngressLog.MaxPayloadChars);

        // Without a secret no signature can be right: refuse rather than accept unsigned deliveries.
        if (secret is null || !WebhookSignature.Verify(secret, body, signature))
        {
            entry.Outcome = IngressOutcomes.RejectedSignature;
            entry.Error = signature is null
                ? $"missing {WebhookSignature.HeaderName} header"
                : "signature does not match the body";
            await log.AppendAsync(entry, cancellationToken);
            Log.SignatureRejected(logger, trigger.Id);
            return IngressResult.Unauthorized(entry.Error);
        }

        if (deliveryId is { Length: > MaxDeliveryIdLength })
        {
            return await RejectAsync(
                entry,
                $"{WebhookSignature.DeliveryHeaderName} is at most {MaxDeliveryIdLength} characters",
                cancellationToken
            );
        }

        if (payload is not { } json)
        {
            return await RejectAsync(entry, "the body is not valid JSON", cancellationToken);
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
                return IngressResult.Conflict("a delivery with this id is still being processed");
            }

            entry.Outcome = IngressOutcomes.Duplicate;
            entry.SessionId = firstSession;
            entry.RunId = firstRun;
            await log.AppendAsync(entry, cancellationToken);
            return IngressResult.Duplicate(firstSession, firstRun, await StatusAsync(firstSession, cancellationToken));
        }

        return await StartAsync(trigger, entry, selected.Value, deliveryId, cancellationToken);
    }

    /// <summary>Starts again from a failed entry's kept input; the new attempt is a new log entry.</summary>
    public async Task<IngressResult> RetryAsync(Guid triggerId, Guid entryId, CancellationToken cancellationToken)
    {
        TriggerRow? trigger;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            trigger = await db.Triggers.AsNoTracking().FirstOrDefaultAsync(t => t.Id == triggerId, cancellationToken);
        }

        var failed = trigger is null ? null : await log.GetAsync(triggerId, entryId, cancellationToken);
        if (trigger is null || failed is null)
        {
            return IngressResult.NotFound();
        }

        if (failed.Outcome != IngressOutcomes.Failed || failed.RetryInput is null)
        {
            return IngressResult.Conflict("only a failed start that has not been retried successfully can be retried");
        }

        var entry = new TriggerIngressRow
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
            DeliveryId = failed.DeliveryId,
            RedactedPayload = failed.RedactedPayload,
        };
        var result = await StartAsync(trigger, entry, SkeinJson.Parse(failed.RetryInput), null, cancellationToken);
        if (result.Kind == IngressResultKind.Started)
        {
            await log.ConsumeRetryAsync(failed.Id, cancellationToken);
        }

        return result;
    }

    private async Task<IngressResult> StartAsync(
        TriggerRow trigger,
        TriggerIngressRow entry,
        JsonElement input,
        string? deliveryId,
        CancellationToken cancellationToken
    )
    {
        var type = trigger.Type switch
        {
            TriggerTypes.Scheduled => TriggerType.Scheduled,
            TriggerTypes.Api => TriggerType.Api,
            _ => TriggerType.Event,
        };
        try
        {
            var run = await starter.StartAsync(
                new StartRunRequest(trigger.AgentId, input, type, $"trigger:{trigger.Id}")
                {
                    TriggerId = trigger.Id,
                    TriggerName = trigger.Name,
                },
                cancellationToken
            );
            if (deliveryId is not null)
            {
                await log.CompleteDeliveryAsync(
                    trigger.Id,
                    deliveryId,
                    run.SessionId,
                    run.RunId,
                    CancellationToken.None
                );
            }

            entry.SessionId = run.SessionId;
            entry.RunId = run.RunId;
            await log.AppendAsync(entry, CancellationToken.None);
            await log.MarkFiredAsync(trigger.Id, CancellationToken.None);
            return IngressResult.Started(run.SessionId, run.RunId, run.State.Status.ToString());
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Keep the input so an operator can retry once the cause (e.g. no deployed version) is fixed,
            // and free the delivery id so the sender's own retry can start the session too.
            if (deliveryId is not null)
            {
                await log.ReleaseDeliveryAsync(trigger.Id, deliveryId, CancellationToken.None);
            }

            var error = ex is DomainException d ? d.Error : null;
            entry.Outcome = IngressOutcomes.Failed;
            entry.Error = error?.Message ?? "the session could not be started (internal error; see the server log)";
            entry.RetryInput = input.GetRawText();
            await log.AppendAsync(entry, CancellationToken.None);
            Log.StartFailed(logger, trigger.Id, ex);
            return error is not null ? IngressResult.Refused(error) : IngressResult.Unavailable(entry.Error);
        }
    }

    private async Task<IngressResult> RejectAsync(
        TriggerIngressRow entry,
        string error,
        CancellationToken cancellationToken
    )
    {
        entry.Outcome = IngressOutcomes.Rejected;
        entry.Error = error;
        await log.AppendAsync(entry, cancellationToken);
        return IngressResult.Refused(new DomainError(DomainErrorCodes.InvalidInput, error));
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

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3411,
            Level = LogLevel.Warning,
            Message = "Event trigger {TriggerId} rejected a delivery with a bad or missing signature"
        )]
        public static partial void SignatureRejected(ILogger logger, Guid triggerId);

        [LoggerMessage(
            EventId = 3412,
            Level = LogLevel.Warning,
            Message = "Event trigger {TriggerId} could not start a session"
        )]
        public static partial void StartFailed(ILogger logger, Guid triggerId, Exception exception);
    }
}

public enum IngressResultKind
{
    Started,
    Duplicate,
    NotFound,
    Unauthorized,
    Refused,
    Conflict,
    Unavailable,
}

/// <summary>What a webhook delivery (or a retry) came to; the endpoint maps it to HTTP.</summary>
public sealed record IngressResult(
    IngressResultKind Kind,
    Guid? SessionId = null,
    Guid? RunId = null,
    string? Status = null,
    string? Detail = null,
    DomainError? Error = null
)
{
    public static IngressResult Started(Guid sessionId, Guid runId, string status) =>
        new(IngressResultKind.Started, sessionId, runId, status);

    public static IngressResult Duplicate(Guid sessionId, Guid runId, string status) =>
        new(IngressResultKind.Duplicate, sessionId, runId, status);

    public static IngressResult NotFound() => new(IngressResultKind.NotFound);

    public static IngressResult Unauthorized(string detail) => new(IngressResultKind.Unauthorized, Detail: detail);

    public static IngressResult Refused(DomainError error) =>
        new(IngressResultKind.Refused, Detail: error.Message, Error: error);

    public static IngressResult Conflict(string detail) => new(IngressResultKind.Conflict, Detail: detail);

    public static IngressResult Unavailable(string detail) => new(IngressResultKind.Unavailable, Detail: detail);
}
