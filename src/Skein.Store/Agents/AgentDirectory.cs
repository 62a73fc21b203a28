using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;

namespace Skein.Store.Agents;

/// <summary>An agent as the public API lists it: its Deployed version, if any.</summary>
public sealed record AgentSummary(
    Guid Id,
    string Name,
    string ExecutionMode,
    Guid? DeployedVersionId,
    string? VersionLabel
);

/// <summary>Read models of agents for lists and labels (the dashboard's session rows, <c>GET /v1/agents</c>).</summary>
public sealed class AgentDirectory(IDbContextFactory<SkeinDbContext> contexts)
{
    /// <summary>Agent id → name (agents are few; sessions carry only the id).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Agents.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
    }

    /// <summary>The workspace's agents among <paramref name="agentIds"/>, by name.</summary>
    public async Task<IReadOnlyList<AgentSummary>> ListAsync(
        Guid tenantId,
        IReadOnlyCollection<Guid> agentIds,
        CancellationToken cancellationToken
    )
    {
        var ids = agentIds.ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await (
            from a in db.Agents.AsNoTracking().Where(a => ids.Contains(a.Id) && a.TenantId == tenantId)
            join v in db.AgentVersions.AsNoTracking().Where(v => v.State == nameof(VersionState.Deployed))
                on a.Id equals v.AgentId
                into deployed
            from v in deployed.DefaultIfEmpty()
            orderby a.Name
            select new AgentSummary(a.Id, a.Name, a.ExecutionMode, v == null ? null : v.Id, v == null ? null : v.Label)
        ).ToListAsync(cancellationToken);
    }
}
