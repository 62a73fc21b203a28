using System.Text.Json;
using Microsoft.Extensions.Logging;
using Skein.Core;
using Skein.Core.Sessions;
using Skein.Core.Triggers;
using Skein.Engine.Runs;
using Skein.Engine.Telemetry;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Triggers;

namespace Skein.Engine.Triggers;

/// <summary>
/// Where the callers of <see cref="TriggerStarts"/> differ, and nowhere else: how an attempt's ingress entry is
/// written and whether a start refused for its input can be retried from the log.
/// </summary>
public sealed record TriggerStartPolicy
{
    /// <summary>Queue the entry to <see cref="IngressRecorder"/> (off the request path) rather than store it before
    /// answering.</summary>
    public bool QueueEntry { get; init; }

    /// <summary>
    /// Whether an <c>invalid_input</c> refusal keeps its input for a retry (<c>failed</c>) rather than being the
    /// caller's to fix (<c>rejected</c>). Every other refusal and every unexpected failure keeps it.
    /// </summary>
    public bool BadInputIsRetryable { get; init; }

    /// <summary>Record the trigger's last fire on success (a scheduled slot's claim already records it).</summary>
    public bool MarkFired { get; init; }

    /// <summary><c>POST /v1/agents/{id}/runs</c>: the caller sent the input and gets the refusal at once, and the
    /// log never slows a start.</summary>
    public static readonly TriggerStartPolicy Api = new() { QueueEntry = true };

    /// <summary>A webhook delivery: an operator may retry what failed, but an input the agent's schema refuses is the
    /// sender's to fix (<c>rejected</c>), like every other unusable payload.</summary>
    public static readonly TriggerStartPolicy Event = new() { MarkFired = true };

    /// <summary>A scheduled slot: the input is the trigger's own, kept for a retry once the cause is fixed.</summary>
    public static readonly TriggerStartPolicy Scheduled = new() { BadInputIsRetryable = true };

    /// <summary>An operator's retry of a failed entry, of any trigger type.</summary>
    public static readonly TriggerStartPolicy Retry = new() { BadInputIsRetryable = true, MarkFired = true };
}

/// <summary>What a trigger's start came to: the run, or the error that refused or failed it.</summary>
public sealed record TriggerStartOutcome(StartedRun? Run, DomainError? Error)
{
    public static TriggerStartOutcome Started(StartedRun run) => new(run, null);

    public static TriggerStartOutcome Refused(DomainError error) => new(null, error);
}

/// <summary>
/// The one path from "a trigger fired" to a started run and its ingress-log entry, for api, event and scheduled
/// triggers and for an operator's retry of a failed entry. Callers admit the attempt first (api: allowlist and
/// limits; event: signature and payload; scheduled: the slot claim) and log their own refusals through
/// <see cref="RecordAsync"/>; everything after admission, including the one failure policy, is here.
/// </summary>
public sealed partial class TriggerStarts(
    RunStarter starter,
    IngressLog log,
    IngressRecorder recorder,
    TriggerQueries triggers,
    SkeinMetrics metrics,
    ILogger<TriggerStarts> logger
)
{
    /// <summary>The error of a failure that is not a domain rule (a store outage, a bug).</summary>
    public static DomainError StartFailed =>
        new("start_failed", "the session could not be started (internal error; see the server log)");

    /// <summary>
    /// Starts a run of <paramref name="trigger"/>'s agent from <paramref name="input"/> and logs the attempt in
    /// <paramref name="entry"/> (prepared by the caller with its delivery id and redacted payload). A refused or
    /// failed start is logged with its error, and with its input when <paramref name="policy"/> makes it retryable;
    /// a claimed <paramref name="deliveryId"/> is completed on success and released on failure so the sender's own
    /// retry can start the session.
    /// </summary>
    public async Task<TriggerStartOutcome> StartAsync(
        TriggerRow trigger,
        TriggerIngressRow entry,
        JsonElement? input,
        Actor actor,
        TriggerStartPolicy policy,
        CancellationToken cancellationToken,
        string? deliveryId = null,
        IReadOnlyDictionary<string, string>? tags = null
    )
    {
        StartedRun run;
        try
        {
            run = await starter.StartAsync(
                new StartRunRequest(trigger.AgentId, input, TypeOf(trigger), actor.Value)
                {
                    TriggerId = trigger.Id,
                    TriggerName = trigger.Name,
                    Tags = tags,
                },
                cancellationToken
            );
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = ex is DomainException d ? d.Error : StartFailed;
            if (ex is not DomainException)
            {
                Log.StartFailed(logger, trigger.Id, ex);
            }
            else
            {
                Log.StartRefused(logger, trigger.Id, error.Message);
            }

            if (deliveryId is not null)
            {
                await log.ReleaseDeliveryAsync(trigger.Id, deliveryId, CancellationToken.None);
            }

            var retryable = error.Code != DomainErrorCodes.InvalidInput || policy.BadInputIsRetryable;
            entry.Outcome = retryable ? IngressOutcomes.Failed : IngressOutcomes.Rejected;
            entry.Error = error.Message;
            entry.RetryInput = retryable ? RawText(input) : null;
            await RecordAsync(entry, policy, CancellationToken.None);
            return TriggerStartOutcome.Refused(error);
        }

        if (deliveryId is not null)
        {
            await log.CompleteDeliveryAsync(trigger.Id, deliveryId, run.SessionId, run.RunId, CancellationToken.None);
        }

        entry.Outcome = IngressOutcomes.Started;
        entry.SessionId = run.SessionId;
        entry.RunId = run.RunId;
        await RecordAsync(entry, policy, CancellationToken.None);
        if (policy.MarkFired)
        {
            await log.MarkFiredAsync(trigger.Id, CancellationToken.None);
        }

        return TriggerStartOutcome.Started(run);
    }

    /// <summary>Logs an attempt that started nothing (refused at admission, or a duplicate delivery).</summary>
    public async Task RecordAsync(
        TriggerIngressRow entry,
        TriggerStartPolicy policy,
        CancellationToken cancellationToken
    )
    {
        metrics.TriggerIngress(entry.Outcome);
        if (policy.QueueEntry)
        {
            await recorder.RecordAsync(entry, cancellationToken);
        }
        else
        {
            await log.AppendAsync(entry, cancellationToken);
        }
    }

    /// <summary>
    /// Starts again from a failed entry's kept input, for a trigger of any type; the new attempt is a new entry, and
    /// the failed one stops being retryable once a retry started.
    /// </summary>
    public async Task<TriggerStartOutcome> RetryAsync(Guid triggerId, Guid entryId, CancellationToken cancellationToken)
    {
        var trigger = await triggers.FindAsync(triggerId, cancellationToken);
        var failed = trigger is null ? null : await log.GetAsync(triggerId, entryId, cancellationToken);
        if (trigger is null || failed is null)
        {
            return TriggerStartOutcome.Refused(DomainError.NotFound("ingress entry", entryId));
        }

        if (failed.Outcome != IngressOutcomes.Failed || failed.RetryInput is null)
        {
            return TriggerStartOutcome.Refused(
                DomainError.Conflict("only a failed start that has not been retried successfully can be retried")
            );
        }

        var entry = new TriggerIngressRow
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
            DeliveryId = failed.DeliveryId,
            RedactedPayload = failed.RedactedPayload,
            RetryOf = failed.Id,
        };
        var outcome = await StartAsync(
            trigger,
            entry,
            SkeinJson.Parse(failed.RetryInput),
            Actor.Trigger(trigger.Id),
            TriggerStartPolicy.Retry,
            cancellationToken
        );
        if (outcome.Run is not null)
        {
            await log.ConsumeRetryAsync(failed.Id, cancellationToken);
        }

        return outcome;
    }

    // An input whose text cannot be transcoded (invalid UTF-8) is not kept: a retry could not replay it anyway.
    private static string? RawText(JsonElement? input)
    {
        try
        {
            return input?.GetRawText() ?? "null";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static TriggerType TypeOf(TriggerRow trigger) =>
        trigger.Type switch
        {
            TriggerTypes.Scheduled => TriggerType.Scheduled,
            TriggerTypes.Api => TriggerType.Api,
            _ => TriggerType.Event,
        };

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3431,
            Level = LogLevel.Error,
            Message = "Trigger {TriggerId} could not start a session"
        )]
        public static partial void StartFailed(ILogger logger, Guid triggerId, Exception exception);

        [LoggerMessage(
            EventId = 3432,
            Level = LogLevel.Information,
            Message = "Trigger {TriggerId} did not start a session: {Reason}"
        )]
        public static partial void StartRefused(ILogger logger, Guid triggerId, string reason);
    }
}
