using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Core.Secrets;
using Skein.Core.Triggers;
using Skein.Engine.Runs;
using Skein.Engine.Triggers;
using Skein.Manifests.Scheduling;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Triggers;

namespace Skein.Application.Triggers;

/// <summary>
/// Triggers of every type: create, edit, delete, read, the ingress log and retrying a failed start. The management
/// API, the dashboard's Triggers tab and tests all call these methods; each write checks Core's
/// <see cref="TriggerRules"/>, commits the trigger, its event secret and its audit entry in one transaction and
/// returns the trigger or the refusing <see cref="DomainError"/>.
/// </summary>
public sealed class TriggerService(
    IDbContextFactory<SkeinDbContext> contexts,
    TriggerQueries triggers,
    SecretStore secrets,
    IngressLog ingress,
    TriggerStarts starts,
    AuditTrail audit,
    TimeProvider time
)
{
    public const int MaxIngressPage = 500;

    public async Task<Result<TriggerView>> GetAsync(Guid agentId, Guid triggerId, CancellationToken cancellationToken)
    {
        var trigger = await triggers.FindAsync(triggerId, cancellationToken);
        return trigger is not null && trigger.AgentId == agentId
            ? TriggerView.From(trigger)
            : DomainError.NotFound("trigger", triggerId);
    }

    public async Task<Result<IReadOnlyList<TriggerView>>> ListAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
            {
                return DomainError.NotFound("agent", agentId);
            }
        }

        var rows = await triggers.OfAgentAsync(agentId, cancellationToken);
        return Result<IReadOnlyList<TriggerView>>.Ok([.. rows.Select(TriggerView.From)]);
    }

    /// <summary>The agent's triggers by name, as stored (the dashboard's Triggers tab renders their
    /// settings).</summary>
    public Task<IReadOnlyList<TriggerRow>> RowsOfAgentAsync(Guid agentId, CancellationToken cancellationToken) =>
        triggers.OfAgentAsync(agentId, cancellationToken);

    /// <summary>Creates a trigger; an event trigger's generated signing secret is in the answer only.</summary>
    public Task<Result<TriggerView>> CreateAsync(
        Guid agentId,
        TriggerBody body,
        Actor actor,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync(
            contexts,
            db => CreateAsync(db, agentId, body, actor, cancellationToken),
            cancellationToken
        );

    /// <summary>
    /// Creates a trigger inside the caller's unit of work (manifest apply); the caller saves and commits.
    /// </summary>
    public async Task<Result<TriggerView>> CreateAsync(
        SkeinDbContext db,
        Guid agentId,
        TriggerBody body,
        Actor actor,
        CancellationToken cancellationToken
    )
    {
        if (TriggerRules.CheckType(body.Type) is { } badType)
        {
            return badType;
        }

        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return DomainError.NotFound("agent", agentId);
        }

        var name = body.Name ?? body.Type!;
        var refusal = TriggerRules.CheckAgentMayHaveTriggers(Enum.Parse<ExecutionMode>(agent.ExecutionMode))
            ?? TriggerRules.CheckOneApiTrigger(
                body.Type == TriggerTypes.Api
                    && await db.Triggers.AnyAsync(
                        t => t.AgentId == agentId && t.Type == TriggerTypes.Api,
                        cancellationToken
                    )
            )
            ?? TriggerRules.CheckNameFree(
                name,
                await db.Triggers.AnyAsync(t => t.AgentId == agentId && t.Name == name, cancellationToken)
            );
        if (refusal is not null)
        {
            return refusal;
        }

        var trigger = new TriggerRow
        {
            Id = Ids.New(),
            TenantId = agent.TenantId,
            AgentId = agentId,
            Name = name,
            Type = body.Type!,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var applied = await ApplyAsync(db, trigger, body with { Name = name }, creating: true, cancellationToken);
        if (!applied.IsSuccess)
        {
            return applied.Error;
        }

        db.Triggers.Add(trigger);
        audit.Record(db, trigger.TenantId, actor, "trigger.created", "trigger", trigger.Id, trigger.Name);
        return TriggerView.From(trigger) with { SigningSecret = applied.Value };
    }

    /// <summary>Edits a trigger: absent fields keep their value; its type never changes.</summary>
    public Task<Result<TriggerView>> UpdateAsync(
        Guid agentId,
        Guid triggerId,
        TriggerBody body,
        Actor actor,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<TriggerView>(
            contexts,
            async db =>
            {
                var trigger = await db.Triggers.FirstOrDefaultAsync(
                    t => t.Id == triggerId && t.AgentId == agentId,
                    cancellationToken
                );
                if (trigger is null)
                {
                    return DomainError.NotFound("trigger", triggerId);
                }

                return await UpdateAsync(db, trigger, body, actor, cancellationToken);
            },
            cancellationToken
        );

    /// <summary>
    /// Replaces a trigger's name, state and settings with the body's inside the caller's unit of work (manifest apply:
    /// the file states the whole trigger, so an absent field goes back to its default rather than keeping its value);
    /// the caller saves and commits.
    /// </summary>
    public async Task<Result<TriggerView>> ReplaceAsync(
        SkeinDbContext db,
        Guid triggerId,
        TriggerBody body,
        Actor actor,
        CancellationToken cancellationToken
    )
    {
        var trigger = await db.Triggers.FirstOrDefaultAsync(t => t.Id == triggerId, cancellationToken);
        return trigger is null
            ? DomainError.NotFound("trigger", triggerId)
            : await UpdateAsync(db, trigger, body, actor, cancellationToken, replace: true);
    }

    /// <summary>
    /// Creates or edits the agent's one api trigger (<c>PUT /api/agents/{agentId}/triggers/api</c> and the
    /// dashboard's api trigger form).
    /// </summary>
    public Task<Result<TriggerView>> PutApiAsync(
        Guid agentId,
        ApiTriggerBody body,
        Actor actor,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<TriggerView>(
            contexts,
            async db =>
            {
                var trigger = await db.Triggers.FirstOrDefaultAsync(
                    t => t.AgentId == agentId && t.Type == TriggerTypes.Api,
                    cancellationToken
                );
                if (trigger is null)
                {
                    // Created with the rules of any new trigger, in this same transaction.
                    var agent = await db
                        .Agents.AsNoTracking()
                        .FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
                    if (agent is null)
                    {
                        return DomainError.NotFound("agent", agentId);
                    }

                    var name = body.Name ?? TriggerTypes.Api;
                    var refusal = TriggerRules.CheckAgentMayHaveTriggers(Enum.Parse<ExecutionMode>(agent.ExecutionMode))
                        ?? TriggerRules.CheckNameFree(
                            name,
                            await db.Triggers.AnyAsync(t => t.AgentId == agentId && t.Name == name, cancellationToken)
                        );
                    if (refusal is not null)
                    {
                        return refusal;
                    }

                    trigger = new TriggerRow
                    {
                        Id = Ids.New(),
                        TenantId = agent.TenantId,
                        AgentId = agentId,
                        Name = name,
                        Type = TriggerTypes.Api,
                        CreatedAt = time.GetUtcNow().UtcDateTime,
                    };
                    var applied = await ApplyAsync(
                        db,
                        trigger,
                        body.AsTriggerBody() with
                        {
                            Name = name,
                        },
                        creating: true,
                        cancellationToken
                    );
                    if (!applied.IsSuccess)
                    {
                        return applied.Error;
                    }

                    db.Triggers.Add(trigger);
                    audit.Record(db, trigger.TenantId, actor, "trigger.created", "trigger", trigger.Id, trigger.Name);
                    return TriggerView.From(trigger);
                }

                return await UpdateAsync(db, trigger, body.AsTriggerBody(), actor, cancellationToken);
            },
            cancellationToken
        );

    /// <summary>Deletes a trigger with its ingress log, and the signing secret Skein generated for it.</summary>
    public async Task<Result<Unit>> DeleteAsync(
        Guid agentId,
        Guid triggerId,
        Actor actor,
        CancellationToken cancellationToken
    )
    {
        var deleted = await UnitOfWork.RunAsync<TriggerRow>(
            contexts,
            async db =>
            {
                var trigger = await db.Triggers.FirstOrDefaultAsync(
                    t => t.Id == triggerId && t.AgentId == agentId,
                    cancellationToken
                );
                if (trigger is null)
                {
                    return DomainError.NotFound("trigger", triggerId);
                }

                await db.TriggerIngress.Where(e => e.TriggerId == triggerId).ExecuteDeleteAsync(cancellationToken);
                await db.TriggerDeliveries.Where(d => d.TriggerId == triggerId).ExecuteDeleteAsync(cancellationToken);
                await db.TriggerRefusals.Where(r => r.TriggerId == triggerId).ExecuteDeleteAsync(cancellationToken);
                db.Triggers.Remove(trigger);
                audit.Record(db, trigger.TenantId, actor, "trigger.deleted", "trigger", trigger.Id, trigger.Name);
                return trigger;
            },
            cancellationToken
        );
        if (!deleted.IsSuccess)
        {
            return deleted.Error;
        }

        // A signing secret Skein generated for this trigger has no other use.
        await secrets.DeleteAsync(deleted.Value.TenantId, GeneratedSecretName(triggerId), cancellationToken);
        return Unit.Value;
    }

    /// <summary>The trigger's ingress log, newest first, and the summary of its refused unauthenticated
    /// deliveries.</summary>
    public async Task<Result<IngressPage>> IngressAsync(
        Guid agentId,
        Guid triggerId,
        int skip,
        int take,
        CancellationToken cancellationToken
    )
    {
        if (skip < 0 || take is < 1 or > MaxIngressPage)
        {
            return DomainError.Invalid($"skip must be 0 or more and take 1 to {MaxIngressPage}");
        }

        var found = await GetAsync(agentId, triggerId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        return new IngressPage(
            await ingress.ListAsync(triggerId, skip, take, cancellationToken),
            await ingress.RefusalsAsync(triggerId, cancellationToken)
        );
    }

    /// <summary>Starts again from a failed ingress entry's kept input, through <see cref="TriggerStarts"/>.</summary>
    public async Task<Result<StartedRun>> RetryAsync(
        Guid agentId,
        Guid triggerId,
        Guid entryId,
        Actor actor,
        CancellationToken cancellationToken
    )
    {
        var found = await GetAsync(agentId, triggerId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var outcome = await starts.RetryAsync(triggerId, entryId, cancellationToken);
        if (outcome.Run is not { } run)
        {
            return outcome.Error!;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await db
            .Triggers.Where(t => t.Id == triggerId)
            .Select(t => t.TenantId)
            .FirstAsync(cancellationToken);
        audit.Record(db, tenant, actor, "trigger.ingress_retried", "trigger", triggerId, entryId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    /// <summary>Whether an ingress entry can be retried (a failed start that kept its input).</summary>
    public static bool IsRetryable(TriggerIngressRow entry) =>
        entry.Outcome == IngressOutcomes.Failed && entry.RetryInput is not null;

    private async Task<Result<TriggerView>> UpdateAsync(
        SkeinDbContext db,
        TriggerRow trigger,
        TriggerBody body,
        Actor actor,
        CancellationToken cancellationToken,
        bool replace = false
    )
    {
        if (body.Type is not null && body.Type != trigger.Type)
        {
            return DomainError.Invalid("a trigger's type cannot change; create a new trigger instead");
        }

        if (body.Name is not null && body.Name != trigger.Name)
        {
            var taken = await db.Triggers.AnyAsync(
                t => t.AgentId == trigger.AgentId && t.Name == body.Name && t.Id != trigger.Id,
                cancellationToken
            );
            if (TriggerRules.CheckNameFree(body.Name, taken) is { } refusal)
            {
                return refusal;
            }
        }

        var applied = await ApplyAsync(db, trigger, body, creating: false, cancellationToken, replace);
        if (!applied.IsSuccess)
        {
            return applied.Error;
        }

        audit.Record(db, trigger.TenantId, actor, "trigger.updated", "trigger", trigger.Id, trigger.Name);
        return TriggerView.From(trigger) with { SigningSecret = applied.Value };
    }

    /// <summary>
    /// Applies the body's fields of the trigger's type: checks them with <see cref="TriggerRules"/>, merges them into
    /// the settings JSON, plans a scheduled trigger's next slot and stages an event trigger's secret. Returns the
    /// signing secret Skein generated (to show once), or null.
    /// </summary>
    private async Task<Result<string?>> ApplyAsync(
        SkeinDbContext db,
        TriggerRow trigger,
        TriggerBody body,
        bool creating,
        CancellationToken cancellationToken,
        bool replace = false
    )
    {
        if (body.Name is not null && TriggerRules.CheckName(body.Name) is { } badName)
        {
            return badName;
        }

        var wasActive = trigger.Active;
        trigger.Name = body.Name ?? trigger.Name;
        trigger.Active = body.Active ?? trigger.Active;
        switch (trigger.Type)
        {
            case TriggerTypes.Api:
                var api = TriggerRules.ApplyApi(
                    creating || replace ? new ApiTriggerSettings() : TriggerQueries.ApiSettings(trigger),
                    body.RpmLimit,
                    body.MaxConcurrentRuns,
                    body.IpAllowlist,
                    body.ExposeStepTimeline,
                    body.ApiCanAnswerApprovals,
                    body.MaxInputBytes
                );
                if (!api.IsSuccess)
                {
                    return api.Error;
                }

                trigger.Settings = Serialize(api.Value);
                return Result<string?>.Ok(null);
            case TriggerTypes.Scheduled:
                return ApplyScheduled(trigger, body, creating, replace, wasActive) is { } badSchedule
                    ? badSchedule
                    : Result<string?>.Ok(null);
            default:
                return await ApplyEventAsync(db, trigger, body, creating || replace, cancellationToken);
        }
    }

    private DomainError? ApplyScheduled(
        TriggerRow trigger,
        TriggerBody body,
        bool creating,
        bool replace,
        bool wasActive
    )
    {
        var current = creating
            ? new ScheduledTriggerSettings()
            : TriggerQueries.Settings<ScheduledTriggerSettings>(trigger);
        var baseline = replace ? new ScheduledTriggerSettings() : current;
        if (TriggerRules.CheckScheduledInput(body.Input) is { } badInput)
        {
            return badInput;
        }

        var settings = baseline with
        {
            Cron = body.Cron ?? baseline.Cron,
            TimeZone = body.TimeZone ?? baseline.TimeZone,
            Input =
                body.Input is { ValueKind: JsonValueKind.Object } input ? input
                : body.Input is null ? baseline.Input
                : null,
        };
        var schedule = CronSchedule.TryParse(settings.Cron, settings.TimeZone);
        if (!schedule.IsSuccess)
        {
            return schedule.Error;
        }

        trigger.Settings = Serialize(settings);
        trigger.NextFireAt = SchedulePlanner.SlotAfterEdit(
            schedule.Value,
            trigger.Active,
            SchedulePlanner.MustReplan(creating ? null : current, wasActive, settings, trigger.Active),
            trigger.NextFireAt,
            time.GetUtcNow().UtcDateTime
        );
        return null;
    }

    private async Task<Result<string?>> ApplyEventAsync(
        SkeinDbContext db,
        TriggerRow trigger,
        TriggerBody body,
        bool creating,
        CancellationToken cancellationToken
    )
    {
        var current = creating ? new EventTriggerSettings() : TriggerQueries.Settings<EventTriggerSettings>(trigger);
        if ((TriggerRules.CheckInputPath(body.InputPath) ?? InputLimits.CheckSetting(body.MaxInputBytes)) is { } bad)
        {
            return bad;
        }

        var name = body.SigningSecretName
            ?? (
                string.IsNullOrEmpty(current.SigningSecretName)
                    ? GeneratedSecretName(trigger.Id)
                    : current.SigningSecretName
            );
        if (!SecretStore.IsValidName(name))
        {
            return DomainError.Invalid("signingSecretName is not a valid secret name");
        }

        string? generated = null;
        if (body.SigningSecret is { } given)
        {
            if (TriggerRules.CheckSigningSecret(given) is { } badSecret)
            {
                return badSecret;
            }

            await secrets.StageAsync(
                db,
                trigger.TenantId,
                name,
                given,
                SecretOwner.Trigger(trigger.Id),
                cancellationToken
            );
        }
        else if (
            body.RotateSigningSecret == true
            || (
                body.SigningSecretName is null
                && !await SecretExistsAsync(db, trigger.TenantId, name, cancellationToken)
            )
        )
        {
            generated = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            await secrets.StageAsync(
                db,
                trigger.TenantId,
                name,
                generated,
                SecretOwner.Trigger(trigger.Id),
                cancellationToken
            );
        }
        else if (!await SecretExistsAsync(db, trigger.TenantId, name, cancellationToken))
        {
            return DomainError.Invalid($"there is no secret named '{name}'; create it first (PUT /api/secrets/{name})");
        }

        trigger.Settings = Serialize(
            current with
            {
                SigningSecretName = name,
                InputPath = body.InputPath ?? current.InputPath,
                MaxInputBytes = body.MaxInputBytes ?? current.MaxInputBytes,
            }
        );
        return generated;
    }

    private static Task<bool> SecretExistsAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        CancellationToken cancellationToken
    ) => db.Secrets.AnyAsync(s => s.TenantId == tenantId && s.Name == name, cancellationToken);

    private static string GeneratedSecretName(Guid triggerId) => $"trigger-{triggerId}-signing";

    private static string Serialize<T>(T settings) => JsonSerializer.Serialize(settings, SkeinJson.Options);
}

/// <summary>A page of a trigger's ingress log and its refused-delivery summary (null when none was refused).</summary>
public sealed record IngressPage(IReadOnlyList<TriggerIngressRow> Entries, TriggerRefusalRow? Refusals);
