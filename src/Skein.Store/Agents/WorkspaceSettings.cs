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

    /// <summary>
    /// Saves retention and plan limits after checking their bounds; returns each problem as
    /// <c>field: problem</c> (nothing is saved then).
    /// </summary>
    public async Task<IReadOnlyList<string>> UpdateAsync(
        Guid tenantId,
        int retentionDays,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds,
        CancellationToken cancellationToken
    )
    {
        var problems = new List<string>();
        if (!Skein.Core.Sessions.SessionRetention.IsValidDays(retentionDays))
        {
            problems.Add(
                $"retention: must be between {Skein.Core.Sessions.SessionRetention.MinDays} and {Skein.Core.Sessions.SessionRetention.MaxDays} days"
            );
        }

        if (maxActiveSessionSeconds is < 60 or > 7 * 86400)
        {
            problems.Add("max active session time: must be between 60 seconds and 7 days");
        }

        if (agentWaitBudgetSeconds is < 0 or > 30 * 86400)
        {
            problems.Add("agent wait budget: must be between 0 and 30 days");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ws = await db.Workspaces.FirstAsync(w => w.Id == tenantId, cancellationToken);
        ws.RetentionDays = retentionDays;
        ws.MaxActiveSessionSeconds = maxActiveSessionSeconds;
        ws.AgentWaitBudgetSeconds = agentWaitBudgetSeconds;
        await db.SaveChangesAsync(cancellationToken);
        return problems;
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
            };
}
