using Microsoft.EntityFrameworkCore;
using Skein.Core.Limits;

namespace Skein.Store.Agents;

/// <summary>The workspace's plan limits, read per decision (they are small and rarely change).</summary>
public sealed class WorkspaceSettings(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<PlanLimits> PlanLimitsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ws = await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Id == tenantId, cancellationToken);
        return ws is null
            ? new PlanLimits()
            : new PlanLimits
            {
                MaxActiveSessionTime = TimeSpan.FromSeconds(ws.MaxActiveSessionSeconds),
                AgentWaitBudget = TimeSpan.FromSeconds(ws.AgentWaitBudgetSeconds),
            };
    }
}
