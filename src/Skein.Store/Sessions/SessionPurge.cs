using Microsoft.EntityFrameworkCore;
using Skein.Core.Sessions;

namespace Skein.Store.Sessions;

/// <summary>
/// Deletes finished sessions past retention with everything they hold (events, steps, runs, user tasks, start
/// context, leftover leases), a batch per transaction, and takes them off the session counts in the same
/// transaction. Audit notes and trigger ingress entries stay: they are their own records.
/// </summary>
public sealed class SessionPurge(IDbContextFactory<SkeinDbContext> contexts)
{
    private static readonly string[] Deletable = [.. SessionRetention.Deletable.Select(s => s.ToString())];

    /// <summary>Deletes up to <paramref name="batchSize"/> sessions of the workspace that finished before the cutoff;
    /// returns how many.</summary>
    public async Task<int> DeleteBatchAsync(
        Guid tenantId,
        DateTimeOffset cutoff,
        int batchSize,
        CancellationToken cancellationToken
    )
    {
        var before = cutoff.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // started_at is in the (tenant, status, started_at) index, and a session that finished before the cutoff
        // started before it.
        var expired = await db
            .Sessions.AsNoTracking()
            .Where(s =>
                s.TenantId == tenantId && Deletable.Contains(s.Status) && s.StartedAt < before && s.FinishedAt < before
            )
            .OrderBy(s => s.StartedAt)
            .ThenBy(s => s.Id)
            .Take(batchSize)
            .Select(s => new
            {
                s.Id,
                s.AgentId,
                s.AgentVersionId,
                TriggerId = s.TriggerId ?? Guid.Empty,
                s.Status,
            })
            .ToListAsync(cancellationToken);
        if (expired.Count == 0)
        {
            return 0;
        }

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);

        // A session another node deleted meanwhile is not counted twice: each count moves by the rows this delete
        // removed.
        var removed = new List<((Guid AgentId, Guid VersionId, Guid TriggerId, string Status) Key, int Count)>();
        foreach (var group in expired.GroupBy(s => (s.AgentId, s.AgentVersionId, s.TriggerId, s.Status)))
        {
            removed.Add(
                (
                    group.Key,
                    await DeleteByIdsAsync(db, "sessions", "id", [.. group.Select(s => s.Id)], cancellationToken)
                )
            );
        }

        List<Guid> ids = [.. expired.Select(s => s.Id)];
        await DeleteByIdsAsync(db, "session_start_contexts", "session_id", ids, cancellationToken);
        await db.SessionEvents.Where(e => ids.Contains(e.SessionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Steps.Where(s => ids.Contains(s.SessionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Runs.Where(r => ids.Contains(r.SessionId)).ExecuteDeleteAsync(cancellationToken);
        await db.UserTasks.Where(t => ids.Contains(t.SessionId)).ExecuteDeleteAsync(cancellationToken);
        await db.RunLeases.Where(l => ids.Contains(l.SessionId)).ExecuteDeleteAsync(cancellationToken);

        // Counts last and in the event-log writer's key order: live appends wait on these rows only until commit.
        foreach (
            var ((agentId, versionId, triggerId, status), count) in removed
                .Where(r => r.Count > 0)
                .OrderBy(r => r.Key.AgentId)
                .ThenBy(r => r.Key.VersionId)
                .ThenBy(r => r.Key.TriggerId)
                .ThenBy(r => Enum.Parse<SessionStatus>(r.Key.Status))
        )
        {
            await db
                .SessionCounts.Where(c =>
                    c.TenantId == tenantId
                    && c.AgentId == agentId
                    && c.AgentVersionId == versionId
                    && c.TriggerId == triggerId
                    && c.Status == status
                )
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Sessions, c => c.Sessions - count), cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return removed.Sum(r => r.Count);
    }

    // The session entity spans two tables (entity splitting), which EF's bulk delete does not take: plain SQL, one
    // parameter per id (a batch is at most a few hundred).
    private static Task<int> DeleteByIdsAsync(
        SkeinDbContext db,
        string table,
        string column,
        IReadOnlyList<Guid> ids,
        CancellationToken cancellationToken
    )
    {
        // table and column are this class's constants; only the ids are values, and they go as parameters.
        var sql =
            "DELETE FROM "
            + table
            + " WHERE "
            + column
            + " IN ("
            + string.Join(", ", ids.Select((_, i) => "{" + i + "}"))
            + ")";
        return db.Database.ExecuteSqlRawAsync(sql, ids.Cast<object>(), cancellationToken);
    }
}
