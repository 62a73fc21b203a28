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
        if (query.Criteria is { IsEmpty: false } criteria)
        {
            q = q.Where(db, dialect, criteria);
        }

        if (query.Before is { } before)
        {
            var newer = await q.Where(s =>
                    s.StartedAt > before.StartedAt || (s.StartedAt == before.StartedAt && s.Id.CompareTo(before.Id) > 0)
                )
                .OrderBy(s => s.StartedAt)
                .ThenBy(s => s.Id)
                .Take(query.Take + 1)
                .ToListAsync(cancellationToken);
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

        var ordered = q.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id);
        var page = await (query.Skip > 0 ? ordered.Skip(query.Skip) : ordered)
            .Take(query.Take + 1)
            .ToListAsync(cancellationToken);
        return new ListResult(
            [.. page.Take(query.Take)],
            HasNewer: query.After is not null,
            HasOlder: page.Count > query.Take
        );
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
        return await SessionQueries
            .Filtered(db, new SessionFilter(tenantId))
            .Where(db, dialect, criteria)
            .OrderByDescending(s => s.StartedAt)
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
        var matching = await SessionQueries
            .Filtered(db, new SessionFilter(tenantId))
            .Where(s => ids.Contains(s.Id))
            .Where(db, dialect, criteria)
            .Select(s => s.Id)
            .ToListAsync(cancellationToken);
        return matching.ToHashSet();
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
