using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Engine.Triggers;
using Skein.Server.Api.Hooks;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Triggers;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for triggers of every type, their ingress log, and retrying a failed start.</summary>
public static class TriggerAdminEndpoints
{
    public static RouteGroupBuilder MapTriggerAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/agents/{agentId}/triggers", CreateAsync)
            .WithName("AdminCreateTrigger")
            .WithSummary(
                "Create an api, scheduled or event trigger (an event trigger's generated signing secret is in this response only)"
            );
        api.MapGet("/agents/{agentId}/triggers/{triggerId:guid}", GetAsync)
            .WithName("AdminGetTrigger")
            .WithSummary("One trigger (never secret values)");
        api.MapPut("/agents/{agentId}/triggers/{triggerId:guid}", UpdateAsync)
            .WithName("AdminUpdateTrigger")
            .WithSummary("Edit a trigger: name, active flag and the settings of its type");
        api.MapDelete("/agents/{agentId}/triggers/{triggerId:guid}", DeleteAsync)
            .WithName("AdminDeleteTrigger")
            .WithSummary("Delete a trigger and its ingress log");
        api.MapGet("/agents/{agentId}/triggers/{triggerId:guid}/ingress", IngressAsync)
            .WithName("AdminTriggerIngress")
            .WithSummary(
                "The trigger's ingress log, newest first: every start attempt with its outcome and redacted payload"
            );
        api.MapPost("/agents/{agentId}/triggers/{triggerId:guid}/ingress/{entryId:guid}/retry", RetryAsync)
            .WithName("AdminRetryIngress")
            .WithSummary("Start again from a failed ingress entry's kept input");
        return api;
    }

    public sealed record IngressItem(
        Guid Id,
        DateTime ReceivedAt,
        string Outcome,
        string? DeliveryId,
        string? Error,
        Guid? SessionId,
        Guid? RunId,
        JsonElement? Payload,
        bool Retryable
    );

    public sealed record IngressList(IReadOnlyList<IngressItem> Items);

    public sealed record RetryResponse(Guid SessionId, Guid RunId, string Status);

    /// <summary>
    /// <c>POST /api/agents/{agentId}/triggers</c>; the dashboard's trigger forms call it too. Bad settings throw
    /// <see cref="DomainException"/> (invalid_input) before anything is stored.
    /// </summary>
    public static async Task<IResult> CreateAsync(
        Guid agentId,
        TriggerBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        TriggerSettingsEditor editor,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        if (body?.Type is not (TriggerTypes.Api or TriggerTypes.Scheduled or TriggerTypes.Event))
        {
            return Problems.Invalid("type must be 'api', 'scheduled' or 'event'");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Problems.From(DomainError.NotFound("agent", agentId));
        }

        if (agent.ExecutionMode == nameof(ExecutionMode.SubAgent))
        {
            return Problems.Invalid("SubAgent agents have no triggers: they are called by their parent agents");
        }

        if (
            body.Type == TriggerTypes.Api
            && await db.Triggers.AnyAsync(t => t.AgentId == agentId && t.Type == TriggerTypes.Api, cancellationToken)
        )
        {
            return Problems.From(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    "the agent already has its api trigger (one per agent); edit that one"
                )
            );
        }

        var name = body.Name ?? body.Type;
        if (await db.Triggers.AnyAsync(t => t.AgentId == agentId && t.Name == name, cancellationToken))
        {
            return Problems.From(
                new DomainError(DomainErrorCodes.Conflict, $"the agent already has a trigger named '{name}'")
            );
        }

        var trigger = new TriggerRow
        {
            Id = Ids.New(),
            TenantId = agent.TenantId,
            AgentId = agentId,
            Name = name,
            Type = body.Type,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var generated = await editor.ApplyAsync(trigger, body with { Name = name }, creating: true, cancellationToken);
        db.Triggers.Add(trigger);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(
            $"/api/agents/{agentId}/triggers/{trigger.Id}",
            TriggerView.From(trigger) with
            {
                SigningSecret = generated,
            }
        );
    }

    private static async Task<IResult> GetAsync(
        Guid agentId,
        Guid triggerId,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var trigger = await db
            .Triggers.AsNoTracking()
            .FirstOrDefaultAsync(t => t.Id == triggerId && t.AgentId == agentId, cancellationToken);
        return trigger is null
            ? Problems.From(DomainError.NotFound("trigger", triggerId))
            : TypedResults.Ok(TriggerView.From(trigger));
    }

    /// <summary><c>PUT /api/agents/{agentId}/triggers/{triggerId}</c>; absent fields keep their value. Bad settings
    /// throw <see cref="DomainException"/>.</summary>
    public static async Task<IResult> UpdateAsync(
        Guid agentId,
        Guid triggerId,
        TriggerBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        TriggerSettingsEditor editor,
        CancellationToken cancellationToken
    )
    {
        if (body is null)
        {
            return Problems.Invalid("a JSON body is required");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var trigger = await db.Triggers.FirstOrDefaultAsync(
            t => t.Id == triggerId && t.AgentId == agentId,
            cancellationToken
        );
        if (trigger is null)
        {
            return Problems.From(DomainError.NotFound("trigger", triggerId));
        }

        if (body.Type is not null && body.Type != trigger.Type)
        {
            return Problems.Invalid("a trigger's type cannot change; create a new trigger instead");
        }

        if (
            body.Name is not null
            && body.Name != trigger.Name
            && await db.Triggers.AnyAsync(
                t => t.AgentId == agentId && t.Name == body.Name && t.Id != triggerId,
                cancellationToken
            )
        )
        {
            return Problems.From(
                new DomainError(DomainErrorCodes.Conflict, $"the agent already has a trigger named '{body.Name}'")
            );
        }

        var generated = await editor.ApplyAsync(trigger, body, creating: false, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(TriggerView.From(trigger) with { SigningSecret = generated });
    }

    /// <summary><c>DELETE /api/agents/{agentId}/triggers/{triggerId}</c>, with its ingress log and a generated signing
    /// secret.</summary>
    public static async Task<IResult> DeleteAsync(
        Guid agentId,
        Guid triggerId,
        IDbContextFactory<SkeinDbContext> contexts,
        SecretStore secrets,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var trigger = await db.Triggers.FirstOrDefaultAsync(
            t => t.Id == triggerId && t.AgentId == agentId,
            cancellationToken
        );
        if (trigger is null)
        {
            return Problems.From(DomainError.NotFound("trigger", triggerId));
        }

        await db.TriggerIngress.Where(e => e.TriggerId == triggerId).ExecuteDeleteAsync(cancellationToken);
        await db.TriggerDeliveries.Where(d => d.TriggerId == triggerId).ExecuteDeleteAsync(cancellationToken);
        db.Triggers.Remove(trigger);
        await db.SaveChangesAsync(cancellationToken);

        // A signing secret Skein generated for this trigger has no other use.
        await secrets.DeleteAsync(trigger.TenantId, $"trigger-{trigger.Id}-signing", cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> IngressAsync(
        Guid agentId,
        Guid triggerId,
        int? skip,
        int? take,
        IDbContextFactory<SkeinDbContext> contexts,
        IngressLog log,
        CancellationToken cancellationToken
    )
    {
        if (skip is < 0 || take is < 1 or > 500)
        {
            return Problems.Invalid("skip must be 0 or more and take 1 to 500");
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Triggers.AnyAsync(t => t.Id == triggerId && t.AgentId == agentId, cancellationToken))
            {
                return Problems.From(DomainError.NotFound("trigger", triggerId));
            }
        }

        var entries = await log.ListAsync(triggerId, skip ?? 0, take ?? 50, cancellationToken);
        return TypedResults.Ok(
            new IngressList([
                .. entries.Select(e => new IngressItem(
                    e.Id,
                    e.ReceivedAt,
                    e.Outcome,
                    e.DeliveryId,
                    e.Error,
                    e.SessionId,
                    e.RunId,
                    Payload(e.RedactedPayload),
                    e.Outcome == IngressOutcomes.Failed && e.RetryInput is not null
                )),
            ])
        );
    }

    private static async Task<IResult> RetryAsync(
        Guid agentId,
        Guid triggerId,
        Guid entryId,
        IDbContextFactory<SkeinDbContext> contexts,
        EventIngress ingress,
        CancellationToken cancellationToken
    )
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Triggers.AnyAsync(t => t.Id == triggerId && t.AgentId == agentId, cancellationToken))
            {
                return Problems.From(DomainError.NotFound("trigger", triggerId));
            }
        }

        var result = await ingress.RetryAsync(triggerId, entryId, cancellationToken);
        return result is { Kind: IngressResultKind.Started, SessionId: { } sessionId, RunId: { } runId }
            ? TypedResults.Accepted(
                $"/api/sessions/{sessionId}",
                new RetryResponse(sessionId, runId, result.Status ?? "Running")
            )
            : HookEndpoints.Problem(result, "ingress entry");
    }

    /// <summary>The logged payload as JSON when it still parses (it may have been cut), else as a string.</summary>
    private static JsonElement? Payload(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return SkeinJson.Parse(text);
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}
