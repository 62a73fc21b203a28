using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Sessions;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

/// <summary>
/// The words of a search on a page of sessions. Two ways answer it exactly: the set of every match from the
/// full-text index, joined and ordered (cheap when the words are rare), or the other filters' rows in page order,
/// each tested against the index, until the page is full (cheap when the words are common, e.g. a word every session
/// has with a rare status). Where the store's planner cannot choose between them itself (SQLite), this does: a count
/// of each word's matches up to <see cref="CommonMatches"/> decides, and a walk that has not filled the page within
/// <see cref="MaxProbes"/> rows falls back to the set. Where the planner chooses but misjudges rare words
/// (PostgreSQL), up to <see cref="CommonMatches"/> matching ids are read first: fewer are every match, and the page is
/// read from them. Every way returns the same rows in the same order.
/// </summary>
internal static class SessionTextSearch
{
    /// <summary>Below this many matches the set of matches is small enough to read whole.</summary>
    public const int CommonMatches = 5_000;

    /// <summary>The most rows of the other filters tested one by one (about 0.1 ms each on SQLite at a million
    /// sessions) before reading the set of matches instead.</summary>
    public const int MaxProbes = 1_000;

    private const int FirstProbes = 64;

    /// <summary>
    /// <paramref name="q"/> (every filter but the words, and the page's cursor) narrowed to the sessions that also
    /// hold the words: to the first <paramref name="needed"/> of them in <paramref name="order"/> when walking found
    /// them, else to every match.
    /// </summary>
    public static async Task<IQueryable<SessionRow>> NarrowAsync(
        SkeinDbContext db,
        IStoreDialect dialect,
        IQueryable<SessionRow> q,
        SessionCriteria criteria,
        Func<IQueryable<SessionRow>, IOrderedQueryable<SessionRow>> order,
        int needed,
        CancellationToken cancellationToken
    )
    {
        if (criteria.Terms.Count == 0)
        {
            return q;
        }

        var words = dialect.SessionTextQuery(criteria.Terms);
        if (dialect.SessionTextCountSql is { } countSql && dialect.SessionTextProbeSql is { } probeSql)
        {
            if (await AllCommonAsync(db, dialect, countSql, criteria.Terms, cancellationToken))
            {
                var walked = await WalkAsync(db, dialect, probeSql, words, order(q), needed, cancellationToken);
                if (walked is not null)
                {
                    return q.Where(s => walked.Contains(s.Id));
                }
            }
        }
        else if (dialect.SessionTextFewSql(words, CommonMatches + 1) is { } fewSql)
        {
            var few = await db.Database.SqlQueryRaw<Guid>(fewSql).ToListAsync(cancellationToken);
            if (few.Count <= CommonMatches)
            {
                return q.Where(s => few.Contains(s.Id));
            }
        }

        var matching = db.Database.SqlQueryRaw<Guid>(dialect.SessionTextMatchSql, words);
        return q.Where(s => matching.Contains(s.Id));
    }

    /// <summary>
    /// Whether every word on its own has <see cref="CommonMatches"/> matches: the words' matches together are at most
    /// the rarest word's, and counting each word alone stops at the bound, where counting them together would read
    /// the common word's whole list to find the few rows that hold both.
    /// </summary>
    private static async Task<bool> AllCommonAsync(
        SkeinDbContext db,
        IStoreDialect dialect,
        string countSql,
        IReadOnlyList<string> terms,
        CancellationToken cancellationToken
    )
    {
        foreach (var term in terms)
        {
            var counted = await db
                .Database.SqlQueryRaw<long>(countSql, dialect.SessionTextQuery([term]), CommonMatches)
                .ToListAsync(cancellationToken);
            if (counted is not [>= CommonMatches])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Those of <paramref name="ids"/> whose sessions hold <paramref name="terms"/>, each tested on its
    /// own (<see cref="IStoreDialect.SessionTextProbeSql"/>).</summary>
    public static Task<HashSet<Guid>> ProbeAsync(
        SkeinDbContext db,
        IStoreDialect dialect,
        string probeSql,
        IReadOnlyList<string> terms,
        IEnumerable<Guid> ids,
        CancellationToken cancellationToken
    ) => ProbeAsync(db, dialect, probeSql, dialect.SessionTextQuery(terms), ids, cancellationToken);

    private static async Task<HashSet<Guid>> ProbeAsync(
        SkeinDbContext db,
        IStoreDialect dialect,
        string probeSql,
        string words,
        IEnumerable<Guid> ids,
        CancellationToken cancellationToken
    )
    {
        var list = JsonSerializer.Serialize(ids.Select(dialect.IdValue));
        return (await db.Database.SqlQueryRaw<Guid>(probeSql, words, list).ToListAsync(cancellationToken)).ToHashSet();
    }

    /// <summary>The first <paramref name="needed"/> matching ids in order (fewer when no more rows exist), or null
    /// when <see cref="MaxProbes"/> rows held fewer.</summary>
    private static async Task<List<Guid>?> WalkAsync(
        SkeinDbContext db,
        IStoreDialect dialect,
        string probeSql,
        string words,
        IOrderedQueryable<SessionRow> ordered,
        int needed,
        CancellationToken cancellationToken
    )
    {
        // Ids only: the list indexes hold them, so the walk reads no rows.
        var candidates = await ordered.Select(s => s.Id).Take(MaxProbes).ToListAsync(cancellationToken);
        var found = new List<Guid>(needed);
        var tested = 0;
        for (var chunk = Math.Max(FirstProbes, needed * 2); tested < candidates.Count; chunk *= 4)
        {
            var slice = candidates.GetRange(tested, Math.Min(chunk, candidates.Count - tested));
            tested += slice.Count;
            var hits = await ProbeAsync(db, dialect, probeSql, words, slice, cancellationToken);
            found.AddRange(slice.Where(hits.Contains));
            if (found.Count >= needed)
            {
                return found[..needed];
            }
        }

        return candidates.Count < MaxProbes ? found : null;
    }
}
