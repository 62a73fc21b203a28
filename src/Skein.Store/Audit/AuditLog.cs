using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;
using Skein.Store.Workspaces;

namespace Skein.Store.Audit;

/// <summary>What <see cref="AuditLog.ListAsync"/> returns: entries newest first and the cursor of the next
/// page (null on the last one).</summary>
public sealed record AuditPage(IReadOnlyList<AuditRow> Items, long? Next);

/// <summary>
/// The audit log's store side: the filtered, keyset-paged listing (<c>GET /api/audit</c>, the dashboard's Audit
/// page) and the append of entries that are not part of a configuration change's unit of work (operator actions
/// on sessions, refused requests).
/// </summary>
public sealed class AuditLog(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    public const int MaxTake = 200;

    /// <summary>
    /// Entries newest first. <paramref name="actor"/> matches an actor or its prefix (<c>operator:ann@x.io</c>
    /// finds her token's entries too); <paramref name="target"/> is a subject id, or a subject type
    /// (<c>agent</c>); <paramref name="after"/> is the previous page's <see cref="AuditPage.Next"/>.
    /// </summary>
    public async Task<AuditPage> ListAsync(
        string? actor,
        string? target,
        DateTime? from,
        DateTime? to,
        long? after,
        int take,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrEmpty(actor))
        {
            query = query.Where(a => a.Actor == actor || a.Actor.StartsWith(actor + "/"));
        }

        if (!string.IsNullOrEmpty(target))
        {
            query = Guid.TryParse(target, out var id)
                ? query.Where(a => a.SubjectId == id)
                : query.Where(a => a.SubjectType == target);
        }

        if (from is { } start)
        {
            query = query.Where(a => a.At >= start);
        }

        if (to is { } end)
        {
            query = query.Where(a => a.At < end);
        }

        if (after is { } cursor)
        {
            query = query.Where(a => a.Id < cursor);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(take + 1).ToListAsync(cancellationToken);
        return rows.Count > take ? new AuditPage(rows[..take], rows[take - 1].Id) : new AuditPage(rows, null);
    }

    /// <summary>Appends one entry in a transaction of its own (the action it records has committed, or was
    /// refused).</summary>
    public Task AppendAsync(
        string actor,
        string action,
        string subjectType,
        Guid subjectId,
        string outcome,
        string detail,
        CancellationToken cancellationToken
    ) => AppendManyAsync([new AuditEntry(actor, action, subjectType, subjectId, outcome, detail)], cancellationToken);

    /// <summary>Appends <paramref name="entries"/> in one transaction of their own (a bulk action's items, each
    /// recorded as its own action would be, after their commits).</summary>
    public async Task AppendManyAsync(IReadOnlyCollection<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await DefaultWorkspace.FindIdAsync(db, cancellationToken) ?? Guid.Empty;
        var at = time.GetUtcNow().UtcDateTime;
        db.AuditLog.AddRange(
            entries.Select(e => new AuditRow
            {
                TenantId = tenant,
                At = at,
                Actor = Bound(e.Actor, 200),
                Action = Bound(e.Action, 64),
                SubjectType = Bound(e.SubjectType, 32),
                SubjectId = e.SubjectId,
                Detail = Bound(e.Detail, 2000),
                Outcome = e.Outcome,
            })
        );
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string Bound(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>One entry of the audit log, before it is stored (<see cref="AuditLog.AppendManyAsync"/>).</summary>
public sealed record AuditEntry(
    string Actor,
    string Action,
    string SubjectType,
    Guid SubjectId,
    string Outcome,
    string Detail
);
