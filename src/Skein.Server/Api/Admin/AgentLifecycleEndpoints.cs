using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Api.Admin;

/// <summary>
/// Agents themselves: create, read one, delete. An agent cannot be deleted while a version is deployed (SPEC section
/// 1);
/// deleting removes its versions, triggers and key scopes, while its sessions stay as history.
/// </summary>
public static class AgentLifecycleEndpoints
{
    private const int MaxNameLength = 200;

    /// <summary><c>llmProviderId</c> defaults to the workspace's built-in <c>scripted</c> provider.</summary>
    public sealed record CreateAgentBody(string? Name, string? ExecutionMode, Guid? LlmProviderId);

    public static RouteGroupBuilder MapAgentLifecycleAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/agents", CreateAsync)
            .WithName("AdminCreateAgent")
            .WithSummary("Create an agent (no versions yet); names are unique in the workspace");
        api.MapGet("/agents/{agentId}", GetAsync)
            .WithName("AdminGetAgent")
            .WithSummary("One agent with its deployed version");
        api.MapDelete("/agents/{agentId}", DeleteAsync)
            .WithName("AdminDeleteAgent")
            .WithSummary(
                "Delete an agent with its versions and triggers; 409 while a version is deployed. Its sessions are kept"
            );
        return api;
    }

    private static async Task<IResult> CreateAsync(
        CreateAgentBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > MaxNameLength)
        {
            return Problems.Invalid($"name: 1 to {MaxNameLength} characters, not blank");
        }

        if (
            !Enum.TryParse<ExecutionMode>(
                body.ExecutionMode ?? nameof(ExecutionMode.Request),
                ignoreCase: false,
                out var mode
            ) || !Enum.IsDefined(mode)
        )
        {
            return Problems.Invalid("executionMode: must be Request, HITL or SubAgent");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await db.Workspaces.OrderBy(w => w.CreatedAt).Select(w => w.Id).FirstAsync(cancellationToken);
        var provider = body.LlmProviderId is { } pid
            ? await db.LlmProviders.FirstOrDefaultAsync(p => p.Id == pid && p.TenantId == tenant, cancellationToken)
            : await db.LlmProviders.FirstOrDefaultAsync(
                p => p.TenantId == tenant && p.Kind == "scripted",
                cancellationToken
            );
        if (provider is null)
        {
            return Problems.Invalid(
                body.LlmProviderId is null
                    ? "llmProviderId: required (the workspace has no scripted provider)"
                    : $"llmProviderId: no provider {body.LlmProviderId}"
            );
        }

        if (await db.Agents.AnyAsync(a => a.TenantId == tenant && a.Name == body.Name, cancellationToken))
        {
            return Problems.From(
                new DomainError(DomainErrorCodes.Conflict, $"an agent named '{body.Name}' already exists")
            );
        }

        var agent = new AgentRow
        {
            Id = Ids.New(),
            TenantId = tenant,
            Name = body.Name,
            ExecutionMode = mode.ToString(),
            LlmProviderId = provider.Id,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Agents.Add(agent);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(
            $"/api/agents/{agent.Id}",
            new AgentAdminEndpoints.AgentListItem(
                agent.Id,
                agent.Name,
                agent.ExecutionMode,
                null,
                null,
                agent.CreatedAt
            )
        );
    }

    private static async Task<IResult> GetAsync(
        Guid agentId,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Problems.From(DomainError.NotFound("agent", agentId));
        }

        var live = await db
            .AgentVersions.AsNoTracking()
            .FirstOrDefaultAsync(
                v => v.AgentId == agentId && v.State == nameof(VersionState.Deployed),
                cancellationToken
            );
        return TypedResults.Ok(
            new AgentAdminEndpoints.AgentListItem(
                agent.Id,
                agent.Name,
                agent.ExecutionMode,
                live?.Id,
                live?.Label,
                agent.CreatedAt
            )
        );
    }

    private static async Task<IResult> DeleteAsync(
        Guid agentId,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Problems.From(DomainError.NotFound("agent", agentId));
        }

        if (
            await db.AgentVersions.FirstOrDefaultAsync(
                v => v.AgentId == agentId && v.State == nameof(VersionState.Deployed),
                cancellationToken
            ) is
            { } live
        )
        {
            return Problems.From(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"version {live.Label} is deployed: retract it before deleting the agent"
                )
            );
        }

        await db.ApiKeyScopes.Where(s => s.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
        await db.Triggers.Where(t => t.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
        await db.AgentVersions.Where(v => v.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
        db.Agents.Remove(agent);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
