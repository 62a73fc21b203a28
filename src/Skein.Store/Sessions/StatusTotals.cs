using Microsoft.EntityFrameworkCore;
using Skein.Core.Sessions;
using Skein.Core.UserTasks;

namespace Skein.Store.Sessions;

/// <summary>Store-wide totals for the operations gauges: sessions by status (from the per-status counters the
/// append keeps, a sum over a few rows) and pending user tasks.</summary>
public sealed class StatusTotals(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<Totals> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var byStatus = await db
            .SessionCounts.AsNoTracking()
            .GroupBy(c => c.Status)
            .Select(g => new { Status = g.Key, Sessions = g.Sum(c => c.Sessions) })
            .ToListAsync(cancellationToken);
        var pending = nameof(UserTaskStatus.Pending);
        var tasks = await db.UserTasks.AsNoTracking().CountAsync(t => t.Status == pending, cancellationToken);
        var running = nameof(SessionStatus.Running);
        return new Totals(
            byStatus.Where(s => s.Status == running).Sum(s => s.Sessions),
            byStatus.Where(s => s.Status.StartsWith("Waiting", StringComparison.Ordinal)).Sum(s => s.Sessions),
            tasks
        );
    }

    public sealed record Totals(long ActiveSessions, long WaitingSessions, long PendingUserTasks);
}
