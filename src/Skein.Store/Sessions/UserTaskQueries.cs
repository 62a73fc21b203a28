using Microsoft.EntityFrameworkCore;
using Skein.Core.UserTasks;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

/// <summary>Read side of user tasks: find a task's session, list approvals, find due timeouts.</summary>
public sealed class UserTaskQueries(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<UserTaskRow?> GetAsync(Guid taskId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.UserTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);
    }

    public async Task<IReadOnlyList<UserTaskRow>> ListAsync(
        Guid tenantId,
        string? status,
        string? kind,
        int skip,
        int take,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = db.UserTasks.AsNoTracking().Where(t => t.TenantId == tenantId);
        if (status is not null)
        {
            q = q.Where(t => t.Status == status);
        }

        if (kind is not null)
        {
            q = q.Where(t => t.Kind == kind);
        }

        return await q.OrderByDescending(t => t.CreatedAt)
            .ThenByDescending(t => t.Id)
            .Skip(skip)
            .Take(take)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Several kinds at once (the Approvals kind filter groups them: anomaly review and alert), newest first.
    /// </summary>
    public async Task<IReadOnlyList<UserTaskRow>> ListKindsAsync(
        Guid tenantId,
        string status,
        IReadOnlyList<string> kinds,
        int skip,
        int take,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .UserTasks.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.Status == status && kinds.Contains(t.Kind))
            .OrderByDescending(t => t.CreatedAt)
            .ThenByDescending(t => t.Id)
            .Skip(skip)
            .Take(take)
            .ToListAsync(cancellationToken);
    }

    /// <summary>What waits for a person: how many tasks are Pending and the newest one (the navigation's count and
    /// the live Approvals list, which refreshes when either changes).</summary>
    public async Task<PendingTasks> PendingAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        const string pending = nameof(UserTaskStatus.Pending);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = db.UserTasks.AsNoTracking().Where(t => t.TenantId == tenantId && t.Status == pending);
        var count = await q.CountAsync(cancellationToken);
        var newest =
            count == 0
                ? null
                : await q.OrderByDescending(t => t.CreatedAt)
                    .ThenByDescending(t => t.Id)
                    .Select(t => (Guid?)t.Id)
                    .FirstOrDefaultAsync(cancellationToken);
        return new PendingTasks(count, newest);
    }

    public async Task<IReadOnlyList<UserTaskRow>> ForSessionAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .UserTasks.AsNoTracking()
            .Where(t => t.SessionId == sessionId)
            .OrderBy(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<(Guid SessionId, Guid TaskId)>> DueAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    )
    {
        var at = now.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .UserTasks.AsNoTracking()
            .Where(t => t.Status == nameof(UserTaskStatus.Pending) && t.TimeoutAt != null && t.TimeoutAt <= at)
            .OrderBy(t => t.TimeoutAt)
            .Take(take)
            .Select(t => new { t.SessionId, t.Id })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.SessionId, r.Id))];
    }
}

/// <summary>The pending user tasks at a glance: their number and the newest one's id.</summary>
public sealed record PendingTasks(int Count, Guid? Newest);
