using System.Text.Json;
using Skein.Application.Triggers;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Manifests.Planning;
using Skein.Store;

namespace Skein.Application.Manifests;

public sealed partial class ManifestApply
{
    /// <summary>
    /// The manifest's trigger writes, inside the apply's transaction, through <see cref="TriggerService"/> so each is
    /// checked by Core's trigger rules, planned by the one schedule planner and audited like the API's. The file
    /// states the whole trigger, so an existing trigger is replaced (absent fields go back to their defaults).
    /// Written after the file's secrets, so an event trigger's signing secret exists by then.
    /// </summary>
    private async Task<Result<Unit>> WriteTriggersAsync(
        SkeinDbContext db,
        Actor actor,
        ManifestPlan plan,
        IReadOnlyDictionary<string, Guid> agentIds,
        CancellationToken cancellationToken
    )
    {
        foreach (var t in plan.Triggers.Where(t => t.Action != ChangeAction.Unchanged))
        {
            var body = Body(t.Spec);
            var written = t.ExistingId is { } id
                ? await triggers.ReplaceAsync(db, id, body, actor, cancellationToken)
                : await triggers.CreateAsync(db, agentIds[t.Spec.AgentName], body, actor, cancellationToken);
            if (!written.IsSuccess)
            {
                return written.Error;
            }

            await UnitOfWork.SaveAsync(db, cancellationToken);
        }

        return Unit.Value;
    }

    /// <summary>The service's body for a trigger as the manifest states it (settings in their stored shape).</summary>
    private static TriggerBody Body(TriggerSpec spec)
    {
        var empty = new TriggerBody(
            spec.Name,
            spec.Type,
            spec.Active,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null
        );
        switch (spec.Type)
        {
            case TriggerTypes.Api:
                var api = JsonSerializer.Deserialize<ApiTriggerSettings>(spec.Settings, SkeinJson.Options)
                    ?? new ApiTriggerSettings();
                return empty with
                {
                    RpmLimit = api.RpmLimit,
                    MaxConcurrentRuns = api.MaxConcurrentRuns,
                    IpAllowlist = api.IpAllowlist,
                    ExposeStepTimeline = api.ExposeStepTimeline,
                    ApiCanAnswerApprovals = api.ApiCanAnswerApprovals,
                    MaxInputBytes = api.MaxInputBytes,
                };
            case TriggerTypes.Scheduled:
                var scheduled = JsonSerializer.Deserialize<ScheduledTriggerSettings>(spec.Settings, SkeinJson.Options)
                    ?? new ScheduledTriggerSettings();
                return empty with { Cron = scheduled.Cron, TimeZone = scheduled.TimeZone, Input = scheduled.Input };
            case TriggerTypes.Event:
                var hook = JsonSerializer.Deserialize<EventTriggerSettings>(spec.Settings, SkeinJson.Options)
                    ?? new EventTriggerSettings();
                return empty with
                {
                    SigningSecretName = hook.SigningSecretName,
                    InputPath = hook.InputPath,
                    MaxInputBytes = hook.MaxInputBytes,
                };
            default:
                return empty;
        }
    }
}
