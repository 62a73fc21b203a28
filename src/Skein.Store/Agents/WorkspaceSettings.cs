using Microsoft.EntityFrameworkCore;
using Skein.Core.Limits;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>The workspace's plan limits, read per decision (they are small and rarely change).</summary>
public sealed class WorkspaceSettings(IDbContextFactory<SkeinDbContext> contexts)
{
    // Read by every run driver: compiled once, EF skips preparing the query on each call.
    private static readonly PerProvider<
        Func<SkeinDbContext, Guid, CancellationToken, Task<WorkspaceRow?>>
    > WorkspaceById = new(() =>
        EF.CompileAsyncQuery(
            (SkeinDbContext db, Guid id, CancellationToken _) =>
                db.Workspaces.AsNoTracking().FirstOrDefault(w => w.Id == id)
        )
    );

    public async Task<PlanLimits> PlanLimitsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await PlanLimitsAsync(db, tenantId, cancellationToken);
    }

    public async Task<WorkspaceRow> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == tenantId, cancellationToken);
    }

    /// <summary>Stages retention and plan limits in the caller's context (checked by the caller against
    /// <see cref="Skein.Core.Limits.WorkspaceRules"/>); false when there is no such workspace.</summary>
    public static async Task<WorkspaceRow?> StageAsync(
        SkeinDbContext db,
        Guid tenantId,
        int retentionDays,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds,
        CancellationToken cancellationToken
    )
    {
        var ws = await db.Workspaces.FirstOrDefaultAsync(w => w.Id == tenantId, cancellationToken);
        if (ws is not null)
        {
            ws.RetentionDays = retentionDays;
            ws.MaxActiveSessionSeconds = maxActiveSessionSeconds;
            ws.AgentWaitBudgetSeconds = agentWaitBudgetSeconds;
        }

        return ws;
    }

    /// <summary>The same read on a context the caller already holds.</summary>
    internal static async Task<PlanLimits> PlanLimitsAsync(
        SkeinDbContext db,
        Guid tenantId,
        CancellationToken cancellationToken
    )
    {
        return PlanLimitsOf(await WorkspaceById.For(db)(db, tenantId, cancellationToken));
    }

    internal static PlanLimits PlanLimitsOf(WorkspaceRow? ws) =>
        ws is null
            ? new PlanLimits()
            : new PlanLimits
            {
                MaxActiveSessionTime = TimeSpan.FromSeconds(ws.MaxActiveSessionSeconds),
                AgentWaitBudget = TimeSpan.FromSeconds(ws.AgentWaitBudgetSeconds),
                MaxDepth = ws.MaxSubAgentDepth,
                MaxToolCallsPerRun = ws.MaxToolCallsPerRun,
            };
}
