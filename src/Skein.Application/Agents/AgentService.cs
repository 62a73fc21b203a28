using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Providers;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Workspaces;

namespace Skein.Application.Agents;

/// <summary>
/// Agents themselves: create, read, change execution mode, delete (SPEC section 1). Each write is one transaction
/// with its audit entry; the overloads taking a <see cref="SkeinDbContext"/> join the caller's (manifest apply).
/// </summary>
public sealed class AgentService(IDbContextFactory<SkeinDbContext> contexts, AuditTrail audit, TimeProvider time)
{
    public async Task<IReadOnlyList<AgentSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, null).ToListAsync(cancellationToken);
    }

    public async Task<Result<AgentSummary>> GetAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var summary = await Summaries(db, agentId).FirstOrDefaultAsync(cancellationToken);
        return summary is null ? DomainError.NotFound("agent", agentId) : summary;
    }

    public async Task<Result<AgentView>> FindAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        return agent is null ? DomainError.NotFound("agent", agentId) : View(agent);
    }

    public Task<Result<AgentSummary>> CreateAsync(Actor actor, NewAgent agent, CancellationToken cancellationToken) =>
        UnitOfWork.RunAsync<AgentSummary>(
            contexts,
            async db =>
            {
                var created = await CreateAsync(db, actor, agent, cancellationToken);
                return created.IsSuccess
                    ? new AgentSummary(
                        created.Value.Id,
                        created.Value.Name,
                        created.Value.ExecutionMode,
                        null,
                        null,
                        created.Value.CreatedAt
                    )
                    : created.Error;
            },
            cancellationToken
        );

    /// <summary>Creates the agent inside the caller's unit of work (the caller saves and commits).</summary>
    public async Task<Result<AgentView>> CreateAsync(
        SkeinDbContext db,
        Actor actor,
        NewAgent agent,
        CancellationToken cancellationToken
    )
    {
        if (AgentRules.CheckName(agent.Name) is { } badName)
        {
            return badName;
        }

        var mode = AgentRules.ParseMode(agent.ExecutionMode ?? nameof(ExecutionMode.Request));
        if (!mode.IsSuccess)
        {
            return mode.Error;
        }

        var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
        var provider = agent.LlmProviderId is { } pid
            ? await db.LlmProviders.FirstOrDefaultAsync(p => p.Id == pid && p.TenantId == tenant, cancellationToken)
            : await db.LlmProviders.FirstOrDefaultAsync(
                p => p.TenantId == tenant && p.Kind == ProviderKinds.Scripted,
                cancellationToken
            );
        if (provider is null)
        {
            return DomainError.Invalid(
                agent.LlmProviderId is null
                    ? "llmProviderId: required (the workspace has no scripted provider)"
                    : $"llmProviderId: no provider {agent.LlmProviderId}"
            );
        }

        if (await db.Agents.AnyAsync(a => a.TenantId == tenant && a.Name == agent.Name, cancellationToken))
        {
            return DomainError.Conflict($"an agent named '{agent.Name}' already exists");
        }

        var row = new AgentRow
        {
            Id = Ids.New(),
            TenantId = tenant,
            Name = agent.Name!, // AgentRules.CheckName refused a null name

            ExecutionMode = mode.Value.ToString(),
            LlmProviderId = provider.Id,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Agents.Add(row);
        audit.Record(db, tenant, actor, "agent.created", "agent", row.Id, row.Name);
        return View(row);
    }

    public Task<Result<AgentMode>> ChangeModeAsync(
        Actor actor,
        Guid agentId,
        string? executionMode,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync(
            contexts,
            db => UpdateAsync(db, actor, agentId, executionMode, null, cancellationToken),
            cancellationToken
        );

    /// <summary>
    /// Changes the agent's execution mode and/or provider (null keeps it) inside the caller's unit of work. An agent
    /// with triggers cannot become a SubAgent.
    /// </summary>
    public async Task<Result<AgentMode>> UpdateAsync(
        SkeinDbContext db,
        Actor actor,
        Guid agentId,
        string? executionMode,
        Guid? llmProviderId,
        CancellationToken cancellationToken
    )
    {
        ExecutionMode? mode = null;
        if (executionMode is not null || llmProviderId is null)
        {
            var parsed = AgentRules.ParseMode(executionMode);
            if (!parsed.IsSuccess)
            {
                return parsed.Error;
            }

            mode = parsed.Value;
        }

        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return DomainError.NotFound("agent", agentId);
        }

        if (mode is { } to && to.ToString() != agent.ExecutionMode)
        {
            var hasTriggers = await db.Triggers.AnyAsync(t => t.AgentId == agentId, cancellationToken);
            if (AgentRules.CheckModeChange(to, hasTriggers) is { } refused)
            {
                return refused;
            }

            var listedBy = await VersionService.ListedByAsync(db, agentId, cancellationToken);
            var from = Enum.Parse<ExecutionMode>(agent.ExecutionMode);
            if (SubAgentRules.CheckModeChange(from, to, listedBy) is { } stillListed)
            {
                return stillListed;
            }

            var detail = JsonSerializer.Serialize(new { from = agent.ExecutionMode, to = to.ToString() });
            agent.ExecutionMode = to.ToString();
            audit.Record(db, agent.TenantId, actor, "agent.execution_mode_changed", "agent", agentId, detail);
        }

        if (llmProviderId is { } providerId && providerId != agent.LlmProviderId)
        {
            if (
                !await db.LlmProviders.AnyAsync(
                    p => p.Id == providerId && p.TenantId == agent.TenantId,
                    cancellationToken
                )
            )
            {
                return DomainError.Invalid($"llmProviderId: no provider {providerId}");
            }

            agent.LlmProviderId = providerId;
            audit.Record(db, agent.TenantId, actor, "agent.provider_changed", "agent", agentId, providerId.ToString());
        }

        return new AgentMode(agentId, agent.ExecutionMode);
    }

    /// <summary>Deletes an agent with its versions, triggers and key scopes; its sessions stay as history.</summary>
    public Task<Result<Unit>> DeleteAsync(Actor actor, Guid agentId, CancellationToken cancellationToken) =>
        UnitOfWork.RunAsync<Unit>(
            contexts,
            async db =>
            {
                var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
                if (agent is null)
                {
                    return DomainError.NotFound("agent", agentId);
                }

                var live = await db
                    .AgentVersions.AsNoTracking()
                    .FirstOrDefaultAsync(
                        v => v.AgentId == agentId && v.State == nameof(VersionState.Deployed),
                        cancellationToken
                    );
                if (AgentRules.CheckDeletable(live is null ? null : VersionService.ToLine(live)) is { } refused)
                {
                    return refused;
                }

                var listedBy = await VersionService.ListedByAsync(db, agentId, cancellationToken);
                if (listedBy.Count > 0)
                {
                    return DomainError.Conflict(
                        $"the agent is an allowed sub-agent of {string.Join(", ", listedBy)}: remove it there first"
                    );
                }

                await db.ApiKeyScopes.Where(s => s.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
                await db.Triggers.Where(t => t.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
                await db.AgentVersions.Where(v => v.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
                db.Agents.Remove(agent);
                audit.Record(db, agent.TenantId, actor, "agent.deleted", "agent", agentId, agent.Name);
                return Unit.Value;
            },
            cancellationToken
        );

    /// <summary>
    /// The agents whose unarchived versions list <paramref name="agentId"/> as a sub-agent, when it is a SubAgent;
    /// null when it is not one (or does not exist). Callers scoped to a parent may learn that the sub-agent exists.
    /// </summary>
    public async Task<IReadOnlyList<Guid>?> SubAgentParentsAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var mode = await db
            .Agents.AsNoTracking()
            .Where(a => a.Id == agentId)
            .Select(a => a.ExecutionMode)
            .FirstOrDefaultAsync(cancellationToken);
        if (mode != nameof(ExecutionMode.SubAgent))
        {
            return null;
        }

        var id = agentId.ToString();
        return await db
            .AgentVersions.AsNoTracking()
            .Where(v => v.State != nameof(VersionState.Archived) && v.AllowedSubAgents.Contains(id))
            .Select(v => v.AgentId)
            .Distinct()
            .ToListAsync(cancellationToken);
    }

    private static AgentView View(AgentRow a) =>
        new(a.Id, a.TenantId, a.Name, a.ExecutionMode, a.LlmProviderId, a.CreatedAt);

    private static IQueryable<AgentSummary> Summaries(SkeinDbContext db, Guid? agentId) =>
        from a in db.Agents.AsNoTracking().Where(a => agentId == null || a.Id == agentId)
        join v in db.AgentVersions.AsNoTracking().Where(v => v.State == nameof(VersionState.Deployed))
            on a.Id equals v.AgentId
            into deployed
        from v in deployed.DefaultIfEmpty()
        orderby a.Name
        select new AgentSummary(
            a.Id,
            a.Name,
            a.ExecutionMode,
            v == null ? null : v.Id,
            v == null ? null : v.Label,
            a.CreatedAt
        );
}
