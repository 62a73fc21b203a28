using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

/// <summary>
/// Workspace-wide change feed for list views: which sessions changed after a position in the global event
/// log, with their current rows. Readers keep the position, so a missed wake-up loses nothing.
/// </summary>
public sealed class SessionChangeFeed(IDbContextFactory<SkeinDbContext> contexts)
{
    /// <summary>The newest global sequence: where a page rendered now starts following.</summary>
    public async Task<long> HeadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.SessionEvents.AsNoTracking().MaxAsync(e => (long?)e.GlobalSequence, cancellationToken) ?? 0;
    }

    /// <summary>Up to <paramref name="take"/> global sequences after <paramref name="after"/> and the rows of their
    /// sessions.</summary>
    public async Task<FeedBatch> ReadAfterAsync(
        Guid tenantId,
        long after,
        int take,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = await db
            .SessionEvents.AsNoTracking()
            .Where(e => e.GlobalSequence > after)
            .OrderBy(e => e.GlobalSequence)
            .Take(take)
            .Select(e => new
            {
                e.GlobalSequence,
                e.SessionId,
                e.TenantId,
            })
            .ToListAsync(cancellationToken);
        var ids = events.Where(e => e.TenantId == tenantId).Select(e => e.SessionId).Distinct().ToList();
        var rows =
            ids.Count == 0
                ? []
                : await db.Sessions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken);
        return new FeedBatch([.. events.Select(e => e.GlobalSequence)], rows);
    }
}

/// <summary>The sequences read (ascending) and the current rows of the sessions they touched.</summary>
public sealed record FeedBatch(IReadOnlyList<long> Sequences, IReadOnlyList<SessionRow> Sessions);
