using Microsoft.EntityFrameworkCore;
using Skein.Core.Limits;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>The workspace's plan limits, read per decision (they are small and rarely change).</summary>
public sealed class WorkspaceSettings(IDbContextFactory<SkeinDbContext> contexts)
{
    // Read by every run driver: compiled once, EF skips preparing the query on each call.
    private static readonly PerProvider<Func<SkeinDbContext, Guid, CancellationToken, Task<WorkspaceRow?>>> WorkspaceById = new(() => EF.CompileAsyncQuery(
        (SkeinDbContext db, Guid id, CancellationToken _) => db.Workspaces.AsNoTracking().FirstOrDefault(w => w.Id == id)));

    public async Task<PlanLimits> PlanLimitsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await PlanLimitsAsync(db, tenantId, cancellationToken);
    }

    /// <summary>The same read on a context the caller already holds.</summary>
    internal static async Task<PlanLimits> PlanLimitsAsync(SkeinDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var ws = await WorkspaceById.For(db)(db, tenantId, cancellationToken);
        return ws is null
            ? new PlanLimits()
            : new PlanLimits
            {
                MaxActiveSessionTime = TimeSpan.FromSeconds(ws.MaxActiveSessionSeconds),
                AgentWaitBudget = TimeSpan.FromSeconds(ws.AgentWaitBudgetSeconds),
            };
    }
}
