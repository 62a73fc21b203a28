using Microsoft.EntityFrameworkCore;
using Skein.Core.Triggers;
using Skein.Store.Rows;

namespace Skein.Store.Triggers;

/// <summary>
/// The store side of scheduled triggers. A slot is claimed by moving <c>next_fire_at</c> from the due
/// instant to the next one in one conditional UPDATE: of several nodes polling the same row, only the
/// one whose update touched a row starts the session. Works the same on SQLite and PostgreSQL.
/// </summary>
public sealed class ScheduleClaims(IDbContextFactory<SkeinDbContext> contexts)
{
    /// <summary>Active scheduled triggers whose slot is due, or that have no slot computed yet.</summary>
    public async Task<IReadOnlyList<TriggerRow>> DueOrUnplannedAsync(
        DateTime now,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Triggers.AsNoTracking()
            .Where(t => t.Type == TriggerTypes.Scheduled && t.Active && (t.NextFireAt == null || t.NextFireAt <= now))
            .OrderBy(t => t.NextFireAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Sets the first slot of a trigger that has none; false when someone else already did.</summary>
    public async Task<bool> PlanAsync(Guid triggerId, DateTime? next, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
                .Triggers.Where(t => t.Id == triggerId && t.NextFireAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.NextFireAt, next), cancellationToken) == 1;
    }

    /// <summary>Claims the slot <paramref name="due"/>: true for exactly one caller per slot.</summary>
    public async Task<bool> ClaimAsync(
        Guid triggerId,
        DateTime due,
        DateTime? next,
        DateTime now,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
                .Triggers.Where(t => t.Id == triggerId && t.Active && t.NextFireAt == due)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(t => t.NextFireAt, next).SetProperty(t => t.LastFiredAt, now),
                    cancellationToken
                ) == 1;
    }
}
