using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Server.Auth;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for API access: keys (secret shown once) and each agent's api trigger.</summary>
public static class AccessAdminEndpoints
{
    /// <summary>Key and trigger names share the store's column length.</summary>
    private const int MaxNameLength = 200;

    public static RouteGroupBuilder MapAccessAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/keys", CreateKeyAsync)
            .WithName("AdminCreateApiKey")
            .WithSummary("Create an API key; the secret is in this response only");
        api.MapGet("/keys", ListKeysAsync).WithName("AdminListApiKeys").WithSummary("API keys without their secrets");
        api.MapDelete("/keys/{keyId}", RevokeKeyAsync).WithName("AdminRevokeApiKey").WithSummary("Revoke an API key");
        api.MapPut("/agents/{agentId}/triggers/api", PutApiTriggerAsync)
            .WithName("AdminPutApiTrigger")
            .WithSummary("Create or update the agent's api trigger (one per agent; not for SubAgent agents)");
        api.MapGet("/agents/{agentId}/triggers", ListTriggersAsync)
            .WithName("AdminListTriggers")
            .WithSummary("The agent's triggers (never secrets)");
        return api;
    }

    public sealed record ScopeBody(Guid AgentId, Guid TriggerId);

    public sealed record CreateKeyBody(string? Name, IReadOnlyList<ScopeBody>? Scopes, bool AllowFileUploads);

    public sealed record CreatedKey(Guid Id, string Secret, string Prefix);

    public sealed record KeyItem(
        Guid Id,
        string Name,
        string Prefix,
        bool AllowFileUploads,
        DateTime CreatedAt,
        DateTime? RevokedAt,
        IReadOnlyList<ScopeBody> Scopes
    );

    public sealed record ApiTriggerBody(
        string? Name,
        bool? Active,
        int? RpmLimit,
        int? MaxConcurrentRuns,
        IReadOnlyList<string>? IpAllowlist,
        bool? ExposeStepTimeline
    );

    internal static async Task<IResult> CreateKeyAsync(
        CreateKeyBody? body,
        ApiKeyService keys,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        // Null list entries arrive from JSON despite the non-null element type.
        if (
            body is null
            || string.IsNullOrWhiteSpace(body.Name)
            || body.Scopes is null
            || body.Scopes.Count == 0
            || body.Scopes.Any(s => s is null)
        )
        {
            return Problems.Invalid("a key needs a name and at least one {agentId, triggerId} scope");
        }

        if (body.Name.Length > MaxNameLength)
        {
            return Problems.Invalid($"a key name is at most {MaxNameLength} characters");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var scope in body.Scopes)
        {
            if (
                !await db.Triggers.AnyAsync(
                    t => t.Id == scope.TriggerId && t.AgentId == scope.AgentId,
                    cancellationToken
                )
            )
            {
                return Problems.Invalid($"trigger {scope.TriggerId} is not a trigger of agent {scope.AgentId}");
            }
        }

        var tenant = await db.Workspaces.OrderBy(w => w.CreatedAt).Select(w => w.Id).FirstAsync(cancellationToken);
        var created = await keys.CreateAsync(
            tenant,
            body.Name,
            [.. body.Scopes.Select(s => new ApiKeyService.Scope(s.AgentId, s.TriggerId))],
            body.AllowFileUploads,
            null,
            cancellationToken
        );
        return TypedResults.Created(
            $"/api/keys/{created.Id}",
            new CreatedKey(created.Id, created.Secret, created.Prefix)
        );
    }

    private static async Task<IResult> ListKeysAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        var scopes = await db.ApiKeyScopes.AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(
            new
            {
                items = keys.Select(k => new KeyItem(
                    k.Id,
                    k.Name,
                    k.Prefix,
                    k.AllowFileUploads,
                    k.CreatedAt,
                    k.RevokedAt,
                    [.. scopes.Where(s => s.ApiKeyId == k.Id).Select(s => new ScopeBody(s.AgentId, s.TriggerId))]
                )),
            }
        );
    }

    private static async Task<IResult> RevokeKeyAsync(
        Guid keyId,
        ApiKeyService keys,
        CancellationToken cancellationToken
    ) =>
        await keys.RevokeAsync(keyId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.From(DomainError.NotFound("api key", keyId));

    internal static async Task<IResult> PutApiTriggerAsync(
        Guid agentId,
        ApiTriggerBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        body ??= new ApiTriggerBody(null, null, null, null, null, null);
        if (body.Name is not null && (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > MaxNameLength))
        {
            return Problems.Invalid($"a trigger name is 1 to {MaxNameLength} characters, not blank");
        }

        if (body.RpmLimit is < 0 || body.MaxConcurrentRuns is < 0)
        {
            return Problems.Invalid("rpmLimit and maxConcurrentRuns must be 0 (unlimited) or more");
        }

        // The list is typed non-null, but JSON can still carry null entries: they are invalid like any other.
        if (
            body
                .IpAllowlist?.Where(e =>
                    e is null || (!System.Net.IPNetwork.TryParse(e, out _) && !System.Net.IPAddress.TryParse(e, out _))
                )
                .Select(e => e ?? "null")
                .FirstOrDefault() is
            { } bad
        )
        {
            return Problems.Invalid($"'{bad}' is neither an IP address nor a CIDR range");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Problems.From(DomainError.NotFound("agent", agentId));
        }

        if (agent.ExecutionMode == nameof(ExecutionMode.SubAgent))
        {
            return Problems.Invalid("SubAgent agents have no triggers");
        }

        var trigger = await db.Triggers.FirstOrDefaultAsync(
            t => t.AgentId == agentId && t.Type == TriggerTypes.Api,
            cancellationToken
        );
        var current = trigger is null ? new ApiTriggerSettings() : TriggerQueries.ApiSettings(trigger);
        var settings = current with
        {
            RpmLimit = body.RpmLimit ?? current.RpmLimit,
            MaxConcurrentRuns = body.MaxConcurrentRuns ?? current.MaxConcurrentRuns,
            IpAllowlist = body.IpAllowlist ?? current.IpAllowlist,
            ExposeStepTimeline = body.ExposeStepTimeline ?? current.ExposeStepTimeline,
        };
        if (trigger is null)
        {
            trigger = new TriggerRow
            {
                Id = Ids.New(),
                TenantId = agent.TenantId,
                AgentId = agentId,
                Name = body.Name ?? "api",
                Type = TriggerTypes.Api,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
            db.Triggers.Add(trigger);
        }

        trigger.Name = body.Name ?? trigger.Name;
        trigger.Active = body.Active ?? trigger.Active;
        trigger.Settings = JsonSerializer.Serialize(settings, SkeinJson.Options);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(TriggerView.From(trigger));
    }

    private static async Task<IResult> ListTriggersAsync(
        Guid agentId,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return Problems.From(DomainError.NotFound("agent", agentId));
        }

        var triggers = await db
            .Triggers.AsNoTracking()
            .Where(t => t.AgentId == agentId)
            .OrderBy(t => t.Name)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new { items = triggers.Select(TriggerView.From) });
    }
}
