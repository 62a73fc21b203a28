using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

/// <summary>
/// Keyset pages of the sessions list, newest first. A page is found by seeking the (started_at, id) index
/// from a cursor, so the millionth page costs what the first does (no OFFSET, no COUNT).
/// </summary>
public sealed class SessionListPage(IDbContextFactory<SkeinDbContext> contexts, IStoreDialect dialect)
{
    /// <summary>
    /// Sessions older than <see cref="ListQuery.After"/> (or the newest when null), or, with
    /// <see cref="ListQuery.Before"/>, the page of sessions newer than that cursor. Asks for one extra row to
    /// know whether another page follows.
    /// </summary>
    public async Task<ListResult> ReadAsync(ListQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = SessionQueries.Filtered(
            db,
            new SessionFilter(query.TenantId) { AgentId = query.AgentId, Status = query.Status }
        );
        var criteria = query.Criteria is { IsEmpty: false } c ? c : null;
        if (criteria is not null)
        {
            q = q.Where(db, dialect, criteria, text: false);
        }

        if (query.Before is { } before)
        {
            q = q.Where(s =>
                s.StartedAt > before.StartedAt || (s.StartedAt == before.StartedAt && s.Id.CompareTo(before.Id) > 0)
            );
            if (criteria is not null)
            {
                q = await SessionTextSearch.NarrowAsync(
                    db,
                    dialect,
                    q,
                    criteria,
                    x => x.OrderBy(s => s.StartedAt).ThenBy(s => s.Id),
                    query.Take + 1,
                    cancellationToken
                );
            }

            var newer = await PageAsync(
                db,
                q.OrderBy(s => s.StartedAt).ThenBy(s => s.Id),
                query.Take + 1,
                criteria?.Terms.Count > 0,
                cancellationToken
            );
            var more = newer.Count > query.Take;
            var rows = newer.Take(query.Take).Reverse().ToList();
            return new ListResult(rows, HasNewer: more, HasOlder: true);
        }

        if (query.After is { } after)
        {
            q = q.Where(s =>
                s.StartedAt < after.StartedAt || (s.StartedAt == after.StartedAt && s.Id.CompareTo(after.Id) < 0)
            );
        }

        if (criteria is not null)
        {
            q = await SessionTextSearch.NarrowAsync(
                db,
                dialect,
                q,
                criteria,
                x => x.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id),
                query.Skip + query.Take + 1,
                cancellationToken
            );
        }

        var ordered = q.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id);
        var page = await PageAsync(
            db,
            query.Skip > 0 ? ordered.Skip(query.Skip) : ordered,
            query.Take + 1,
            criteria?.Terms.Count > 0,
            cancellationToken
        );
        return new ListResult(
            [.. page.Take(query.Take)],
            HasNewer: query.After is not null,
            HasOlder: page.Count > query.Take
        );
    }

    /// <summary>
    /// The first <paramref name="count"/> rows of <paramref name="ordered"/>. With <paramref name="keysFirst"/> (a
    /// search, whose candidates are ordered before the page is cut) their ids come first and only those rows are
    /// read whole: ordering whole rows, start contexts included, of a thousand matches cost more than finding them.
    /// </summary>
    private static async Task<List<SessionRow>> PageAsync(
        SkeinDbContext db,
        IQueryable<SessionRow> ordered,
        int count,
        bool keysFirst,
        CancellationToken cancellationToken
    )
    {
        if (!keysFirst)
        {
            return await ordered.Take(count).ToListAsync(cancellationToken);
        }

        var ids = await ordered.Select(s => s.Id).Take(count).ToListAsync(cancellationToken);
        var rows = await db
            .Sessions.AsNoTracking()
            .Where(s => ids.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, cancellationToken);
        // In the store's order (its own id comparison), skipping a row deleted meanwhile.
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    /// <summary>The ids of the sessions <paramref name="criteria"/> matches, newest first, at most
    /// <paramref name="limit"/> (a bulk action's filter).</summary>
    public async Task<IReadOnlyList<Guid>> MatchingIdsAsync(
        Guid tenantId,
        Core.Sessions.SessionCriteria criteria,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var q = await SessionTextSearch.NarrowAsync(
            db,
            dialect,
            SessionQueries.Filtered(db, new SessionFilter(tenantId)).Where(db, dialect, criteria, text: false),
            criteria,
            x => x.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id),
            limit,
            cancellationToken
        );
        return await q.OrderByDescending(s => s.StartedAt)
            .ThenByDescending(s => s.Id)
            .Select(s => s.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Which of <paramref name="ids"/> <paramref name="criteria"/> matches now: the live feed of a filtered
    /// list takes in a new session only when the whole filter (the text search included) matches it.</summary>
    public async Task<IReadOnlySet<Guid>> MatchingAmongAsync(
        Guid tenantId,
        Core.Sessions.SessionCriteria criteria,
        IReadOnlyList<Guid> ids,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Where the store tests rows one by one (SQLite), the words are tested on these few ids only: as a set, a
        // common word would list every session that holds it first.
        var probe = criteria.Terms.Count > 0 ? dialect.SessionTextProbeSql : null;
        var matching = await SessionQueries
            .Filtered(db, new SessionFilter(tenantId))
            .Where(s => ids.Contains(s.Id))
            .Where(db, dialect, criteria, text: probe is null)
            .Select(s => s.Id)
            .ToListAsync(cancellationToken);
        return probe is null || matching.Count == 0
            ? matching.ToHashSet()
            : await SessionTextSearch.ProbeAsync(db, dialect, probe, criteria.Terms, matching, cancellationToken);
    }
}

/// <summary>A position in the newest-first order: the (started_at, id) of a row.</summary>
public sealed record ListCursor(DateTime StartedAt, Guid Id)
{
    public static ListCursor Of(SessionRow row) => new(row.StartedAt, row.Id);

    /// <summary>Compact URL form: <c>&lt;ticks&gt;_&lt;id&gt;</c>.</summary>
    public override string ToString() => $"{StartedAt.Ticks}_{Id:N}";

    public static ListCursor? Parse(string? text)
    {
        var parts = text?.Split('_');
        return
            parts is [var ticks, var id]
            && long.TryParse(ticks, out var t)
            && t >= 0
            && t <= DateTime.MaxValue.Ticks
            && Guid.TryParse(id, out var g)
            ? new ListCursor(new DateTime(t, DateTimeKind.Utc), g)
            : null;
    }
}

public sealed record ListQuery(Guid TenantId, int Take)
{
    public Guid? AgentId { get; init; }
    public string? Status { get; init; }
    public ListCursor? After { get; init; }
    public ListCursor? Before { get; init; }

    /// <summary>Rows to pass over before the page (the management list's older <c>skip</c>); cursors are the way to
    /// page.</summary>
    public int Skip { get; init; }

    /// <summary>The search and filters of SPEC section 10 (text, trigger type, time range, tags; agent and status
    /// too), on top of <see cref="AgentId"/> and <see cref="Status"/>.</summary>
    public Core.Sessions.SessionCriteria? Criteria { get; init; }
}

public sealed record ListResult(IReadOnlyList<SessionRow> Rows, bool HasNewer, bool HasOlder);
