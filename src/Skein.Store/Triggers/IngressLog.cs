using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store.Rows;

namespace Skein.Store.Triggers;

/// <summary>The trigger ingress log (every start attempt) and the webhook delivery-id claims.</summary>
public sealed class IngressLog(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    /// <summary>Longest payload text kept per entry.</summary>
    public const int MaxPayloadChars = 8 * 1024;

    public async Task<TriggerIngressRow> AppendAsync(TriggerIngressRow entry, CancellationToken cancellationToken)
    {
        if (entry.Id == Guid.Empty)
        {
            entry.Id = Ids.New();
        }

        if (entry.ReceivedAt == default)
        {
            entry.ReceivedAt = time.GetUtcNow().UtcDateTime;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TriggerIngress.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>Stores several entries in one transaction (the api-trigger recorder's batches).</summary>
    public async Task AppendManyAsync(IReadOnlyList<TriggerIngressRow> entries, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var entry in entries)
        {
            entry.Id = entry.Id == Guid.Empty ? Ids.New() : entry.Id;
            entry.ReceivedAt = entry.ReceivedAt == default ? now : entry.ReceivedAt;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TriggerIngress.AddRange(entries);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<TriggerIngressRow>> ListAsync(
        Guid triggerId,
        int skip,
        int take,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .TriggerIngress.AsNoTracking()
            .Where(e => e.TriggerId == triggerId)
            .OrderByDescending(e => e.ReceivedAt)
            .ThenByDescending(e => e.Id)
            .Skip(skip)
            .Take(take)
            .ToListAsync(cancellationToken);
    }

    public async Task<TriggerIngressRow?> GetAsync(Guid triggerId, Guid entryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .TriggerIngress.AsNoTracking()
            .FirstOrDefaultAsync(e => e.TriggerId == triggerId && e.Id == entryId, cancellationToken);
    }

    /// <summary>Drops the retry input of an entry whose retry succeeded, so it is retried once.</summary>
    public async Task<bool> ConsumeRetryAsync(Guid entryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
                .TriggerIngress.Where(e => e.Id == entryId && e.RetryInput != null)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.RetryInput, (string?)null), cancellationToken) == 1;
    }

    /// <summary>
    /// Claims a delivery id for its first arrival. Returns null when this caller claimed it, else the
    /// existing claim (its session ids are null while the first arrival is still starting).
    /// </summary>
    public async Task<TriggerDeliveryRow?> ClaimDeliveryAsync(
        Guid triggerId,
        string deliveryId,
        CancellationToken cancellationToken
    )
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.TriggerDeliveries.Add(
                new TriggerDeliveryRow
                {
                    TriggerId = triggerId,
                    DeliveryId = deliveryId,
                    CreatedAt = time.GetUtcNow().UtcDateTime,
                }
            );
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return null;
            }
            catch (DbUpdateException)
            {
                // The key exists: read the first arrival's claim below.
            }
        }

        await using var read = await contexts.CreateDbContextAsync(cancellationToken);
        return await read
            .TriggerDeliveries.AsNoTracking()
            .FirstAsync(d => d.TriggerId == triggerId && d.DeliveryId == deliveryId, cancellationToken);
    }

    public async Task CompleteDeliveryAsync(
        Guid triggerId,
        string deliveryId,
        Guid sessionId,
        Guid runId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db
            .TriggerDeliveries.Where(d => d.TriggerId == triggerId && d.DeliveryId == deliveryId)
            .ExecuteUpdateAsync(
                u => u.SetProperty(d => d.SessionId, sessionId).SetProperty(d => d.RunId, runId),
                cancellationToken
            );
    }

    /// <summary>A failed first arrival gives its delivery id back, so the sender's retry can start the
    /// session.</summary>
    public async Task ReleaseDeliveryAsync(Guid triggerId, string deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db
            .TriggerDeliveries.Where(d => d.TriggerId == triggerId && d.DeliveryId == deliveryId && d.SessionId == null)
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Adds <paramref name="count"/> refused deliveries to the trigger's summary row (creating it), keeping the last
    /// refusal's time and reason: one row per trigger however many arrive.
    /// </summary>
    public async Task AddRefusalsAsync(
        Guid tenantId,
        Guid triggerId,
        long count,
        DateTime lastAt,
        string lastReason,
        CancellationToken cancellationToken
    )
    {
        var reason =
            lastReason.Length <= TriggerRefusalRow.MaxReasonLength
                ? lastReason
                : lastReason[..TriggerRefusalRow.MaxReasonLength];
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var updated = await db
                .TriggerRefusals.Where(r => r.TriggerId == triggerId)
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(r => r.Refused, r => r.Refused + count)
                            .SetProperty(r => r.LastRefusedAt, lastAt)
                            .SetProperty(r => r.LastReason, reason),
                    cancellationToken
                );
            if (updated > 0)
            {
                return;
            }

            db.TriggerRefusals.Add(
                new TriggerRefusalRow
                {
                    TriggerId = triggerId,
                    TenantId = tenantId,
                    Refused = count,
                    LastRefusedAt = lastAt,
                    LastReason = reason,
                }
            );
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another node created the row first: add to it.
            }
        }
    }

    /// <summary>The trigger's refused-delivery summary, or null when none was refused.</summary>
    public async Task<TriggerRefusalRow?> RefusalsAsync(Guid triggerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .TriggerRefusals.AsNoTracking()
            .FirstOrDefaultAsync(r => r.TriggerId == triggerId, cancellationToken);
    }

    /// <summary>
    /// Deletes the workspace's ingress entries and delivery-id claims received before <paramref name="cutoff"/>;
    /// returns the entries deleted. A delivery id older than that may start a session again.
    /// </summary>
    public async Task<int> PruneAsync(Guid tenantId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var before = cutoff.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db
            .TriggerIngress.Where(e => e.TenantId == tenantId && e.ReceivedAt < before)
            .ExecuteDeleteAsync(cancellationToken);
        var triggersOfTenant = db.Triggers.Where(t => t.TenantId == tenantId).Select(t => t.Id);
        await db
            .TriggerDeliveries.Where(d => d.CreatedAt < before && triggersOfTenant.Contains(d.TriggerId))
            .ExecuteDeleteAsync(cancellationToken);
        return deleted;
    }

    public async Task MarkFiredAsync(Guid triggerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db
            .Triggers.Where(t => t.Id == triggerId)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.LastFiredAt, now), cancellationToken);
    }
}
