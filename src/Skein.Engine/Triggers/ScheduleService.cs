using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Core;
using Skein.Core.Redaction;
using Skein.Core.Triggers;
using Skein.Manifests.Scheduling;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Triggers;

namespace Skein.Engine.Triggers;

/// <summary>
/// Fires scheduled triggers: each tick finds active triggers whose persisted slot is due, claims the slot
/// in the store (exactly one node wins it) and starts a <c>scheduled</c> session on the Deployed version.
/// No timer lives in memory, so a restart or a second node changes nothing about which slots fire.
/// </summary>
public sealed partial class ScheduleService(
    ScheduleClaims claims,
    TriggerStarts starts,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<ScheduleService> logger
) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SchedulePollInterval, time);
        try
        {
            do
            {
                try
                {
                    await FireDueAsync(stoppingToken);
                }
                catch (Exception ex)
                    when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.TickFailed(logger, ex);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the next slot is in the store for whichever node polls next.
        }
    }

    /// <summary>Plans unplanned triggers and fires every due slot now; returns how many sessions it started (tests call
    /// it with a fake clock).</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var started = 0;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var trigger in await claims.DueOrUnplannedAsync(now, Batch, cancellationToken))
        {
            try
            {
                started += await HandleAsync(trigger, now, cancellationToken) ? 1 : 0;
            }
            catch (Exception ex)
                when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.FireFailed(logger, trigger.Id, ex);
            }
        }

        return started;
    }

    private async Task<bool> HandleAsync(TriggerRow trigger, DateTime now, CancellationToken cancellationToken)
    {
        var settings = TriggerQueries.Settings<ScheduledTriggerSettings>(trigger);
        var parsed = CronSchedule.TryParse(settings.Cron, settings.TimeZone);
        if (!parsed.IsSuccess)
        {
            // The management API refuses invalid schedules; one written around it is skipped, and logged, until fixed.
            Log.InvalidSchedule(logger, trigger.Id, parsed.Error.Message);
            return false;
        }

        var schedule = parsed.Value;
        if (trigger.NextFireAt is not { } due)
        {
            // A new (or re-activated) trigger waits for its first slot after now: nothing fires retroactively.
            await claims.PlanAsync(trigger.Id, SchedulePlanner.FirstSlot(schedule, now), cancellationToken);
            return false;
        }

        var plan = SchedulePlanner.PlanFire(schedule, due, now);
        if (!plan.Fire || !await claims.ClaimAsync(trigger.Id, due, plan.Next, now, cancellationToken))
        {
            return false;
        }

        // The slot is spent either way (fires are not queued up); a failed start is in the log and can be retried.
        // From here the start ignores the caller's token: a shutdown between the claim and the start would otherwise
        // spend the slot with no session and no log entry. A start is one short commit; the host's shutdown timeout
        // bounds the wait.
        Log.Firing(logger, trigger.Id, due);
        var entry = new TriggerIngressRow
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
            DeliveryId = $"schedule:{due:O}",
            RedactedPayload = settings.Input is { } i ? PayloadRedaction.Redact(i, IngressLog.MaxPayloadChars) : null,
        };
        var outcome = await starts.StartAsync(
            trigger,
            entry,
            settings.Input,
            Actor.Trigger(trigger.Id),
            TriggerStartPolicy.Scheduled,
            CancellationToken.None
        );
        return outcome.Run is not null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3441, Level = LogLevel.Error, Message = "Schedule tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 3442,
            Level = LogLevel.Error,
            Message = "Scheduled trigger {TriggerId} failed to fire"
        )]
        public static partial void FireFailed(ILogger logger, Guid triggerId, Exception exception);

        [LoggerMessage(
            EventId = 3443,
            Level = LogLevel.Warning,
            Message = "Scheduled trigger {TriggerId} has an invalid schedule: {Reason}"
        )]
        public static partial void InvalidSchedule(ILogger logger, Guid triggerId, string reason);

        [LoggerMessage(
            EventId = 3444,
            Level = LogLevel.Information,
            Message = "Scheduled trigger {TriggerId} fires its slot {Slot:O}"
        )]
        public static partial void Firing(ILogger logger, Guid triggerId, DateTime slot);
    }
}
