using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core;
using Skein.Core.Redaction;
using Skein.Core.Sessions;
using Skein.Core.Triggers;
using Skein.Engine.Triggers;
using Skein.Server.Api.Contracts;
using Skein.Server.Api.V1.FileLibrary;
using Skein.Server.Auth;
using Skein.Server.Security;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Sessions;
using Skein.Store.Triggers;

namespace Skein.Server.Api.V1;

/// <summary>Public API, agent routes: start a run through the api trigger, list sessions, list agents.</summary>
public static class AgentEndpoints
{
    public static RouteGroupBuilder MapV1Agents(this RouteGroupBuilder v1)
    {
        v1.MapPost("/agents/{agentId}/runs", StartRunAsync)
            .WithInputLimit(InputLimitScope.AgentApiTrigger)
            .WithName("StartRun")
            .WithSummary("Start a run of the agent's Deployed version through its api trigger (202)");
        v1.MapGet("/agents/{agentId}/sessions", ListSessionsAsync)
            .WithName("ListSessions")
            .WithSummary("The agent's sessions, newest first, with total")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/agents", ListAgentsAsync).WithName("ListAgents").WithSummary("Agents this API key is scoped to");
        return v1;
    }

    /// <summary>A run start: <c>input</c>, and <c>tags</c> (a Skein extension, SPEC section 10) to find the session
    /// by later.</summary>
    public sealed record StartRunBody(JsonElement? Input, IReadOnlyDictionary<string, string>? Tags = null);

    public sealed record StartRunResponse(
        Guid SessionId,
        Guid RunId,
        string Status,
        long TotalTokensUsed,
        JsonElement? Output,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
        Guid AgentId,
        Guid? TriggerId,
        bool DuplicateDelivery
    );

    public sealed record SessionList(IReadOnlyList<SessionDto> Items, int Total);

    public sealed record AgentItem(
        Guid Id,
        string Name,
        string ExecutionMode,
        Guid? DeployedVersionId,
        string? VersionLabel
    );

    public sealed record AgentList(IReadOnlyList<AgentItem> Items);

    /// <summary>
    /// A SubAgent is started by its parents only (400 <c>subagent_not_startable</c>), said to a key scoped to the
    /// agent or to one of its parents; any other key learns nothing (404).
    /// </summary>
    private static async Task<ProblemHttpResult?> NotStartableAsync(
        ApiCaller caller,
        Guid agentId,
        Application.Agents.AgentService agents,
        CancellationToken cancellationToken
    ) =>
        await agents.SubAgentParentsAsync(agentId, cancellationToken) is { } parents
        && (caller.CanUseAgent(agentId) || parents.Any(caller.CanUseAgent))
            ? Problems.Of(
                Core.Agents.SubAgentRules.NotStartable,
                "a SubAgent agent is started by its parent agents, not directly"
            )
            : null;

    /// <summary>
    /// <c>POST /v1/agents/{agentId}/runs</c>: scope and trigger checks, the api trigger's admission (allowlist,
    /// requests per minute, concurrent runs), then <see cref="TriggerStarts"/> with the api policy, once per
    /// <c>Idempotency-Key</c>. Every attempt that reaches the trigger is in its ingress log.
    /// </summary>
    private static async Task<Results<Accepted<StartRunResponse>, ContentHttpResult, ProblemHttpResult>> StartRunAsync(
        Guid agentId,
        StartRunBody? body,
        HttpContext http,
        TriggerQueries triggers,
        ApiTriggerGate gate,
        IdempotentStarts idempotency,
        FileReferences files,
        TriggerStarts starts,
        Application.Agents.AgentService agents,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        var trigger = caller.CanUseAgent(agentId) ? await triggers.ApiTriggerAsync(agentId, cancellationToken) : null;
        if (trigger is null && await NotStartableAsync(caller, agentId, agents, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!caller.CanUseAgent(agentId))
        {
            return Problems.NotFound("agent", agentId);
        }

        if (trigger is null || !caller.CanUseTrigger(agentId, trigger.Id))
        {
            return Problems.Of("key_not_scoped", "this API key is not scoped to the agent's api trigger");
        }

        if (!trigger.Active)
        {
            return Problems.Of("trigger_inactive", "the agent's api trigger is not active");
        }

        if (SessionTags.Check(body?.Tags) is { } badTags)
        {
            return Problems.Invalid(badTags);
        }

        var idempotencyKey = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        var entry = new TriggerIngressRow
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
            ReceivedAt = time.GetUtcNow().UtcDateTime,
            DeliveryId = idempotencyKey,
            RedactedPayload = body?.Input is { } raw ? PayloadRedaction.Redact(raw, IngressLog.MaxPayloadChars) : null,
        };
        var settings = TriggerQueries.ApiSettings(trigger);
        if (await gate.AdmitAsync(trigger.Id, settings, http.Connection.RemoteIpAddress, cancellationToken) is { } no)
        {
            entry.Outcome = IngressOutcomes.Rejected;
            entry.Error = $"{no.Error.Code}: {no.Error.Message}";
            await starts.RecordAsync(entry, TriggerStartPolicy.Api, cancellationToken);
            if (no.RetryAfter is { } retry)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds))
                    .ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Problems.From(no.Error);
        }

        // Before anything is stored: an unknown file is a 400 and no session exists.
        JsonElement? input;
        try
        {
            input = await files.ResolveInputAsync(caller.TenantId, body?.Input, cancellationToken);
        }
        catch (DomainException ex)
        {
            return Problems.From(ex.Error);
        }

        return await idempotency.RunOnceAsync<StartRunResponse>(
            caller.KeyId,
            idempotencyKey,
            async () =>
            {
                var outcome = await starts.StartAsync(
                    trigger,
                    entry,
                    input,
                    Actor.ApiKey(caller.KeyId),
                    TriggerStartPolicy.Api,
                    cancellationToken,
                    tags: body?.Tags
                );
                if (outcome.Run is not { State: var s })
                {
                    return outcome.Error!;
                }

                return new StartRunResponse(
                    s.Id,
                    s.RootRunId,
                    s.Status.ToString(),
                    s.TotalTokensUsed,
                    s.Output,
                    s.Error,
                    s.AgentId,
                    trigger.Id,
                    DuplicateDelivery: false
                );
            },
            cancellationToken
        );
    }

    private static async Task<Results<Ok<SessionList>, ProblemHttpResult>> ListSessionsAsync(
        Guid agentId,
        int? skip,
        int? take,
        Guid? versionId,
        string? status,
        HttpContext http,
        SessionQueries queries,
        V1Access access,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        if (!caller.CanUseAgent(agentId))
        {
            return Problems.NotFound("agent", agentId);
        }

        if (skip is < 0)
        {
            return Problems.Invalid("skip must be 0 or more");
        }

        if (take is < 1 or > 100)
        {
            return Problems.Invalid("take must be between 1 and 100");
        }

        if (status is not null && !Enum.TryParse<SessionStatus>(status, ignoreCase: false, out _))
        {
            return Problems.Invalid(
                $"unknown status '{status}'; expected one of {string.Join(", ", Enum.GetNames<SessionStatus>())}"
            );
        }

        var filter = new SessionFilter(caller.TenantId, take ?? 20)
        {
            AgentId = agentId,
            AgentVersionId = versionId,
            Status = status,
            Skip = skip ?? 0,
            TriggerIds = caller.TriggersOf(agentId),
        };
        var rows = await queries.ListAsync(filter, cancellationToken);
        var total = await queries.CountAsync(filter, cancellationToken);
        var hidesWork = await access.HidesTimelineAsync(agentId, cancellationToken);
        return TypedResults.Ok(
            new SessionList([.. rows.Select(r => SessionDto.From(r).ForApiCaller(hidesWork))], total)
        );
    }

    private static async Task<Ok<AgentList>> ListAgentsAsync(
        HttpContext http,
        AgentDirectory agents,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        var ids = caller.Scopes.Select(s => s.AgentId).ToHashSet();
        var items = await agents.ListAsync(caller.TenantId, ids, cancellationToken);
        return TypedResults.Ok(
            new AgentList([
                .. items.Select(a => new AgentItem(a.Id, a.Name, a.ExecutionMode, a.DeployedVersionId, a.VersionLabel)),
            ])
        );
    }
}
