using System.Data.Common;

namespace Skein.Store;

/// <summary>What differs between the stores beyond EF's provider: connection tuning and error meaning.</summary>
public interface IStoreDialect
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>Tunes the event-log writer's dedicated connection after it opens.</summary>
    Task PrepareWriterConnectionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs once after migrations, for settings that live in the database file itself.</summary>
    Task AfterMigrateAsync(SkeinDbContext db, CancellationToken cancellationToken);

    bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// SQL selecting, as <c>"Value"</c>, the ids of sessions whose input, output or error holds every word of the
    /// parameter <c>{0}</c> (bound to <see cref="SessionTextQuery"/>): the store's full-text index, kept with the
    /// session rows in their transaction (SQLite FTS5 through triggers, PostgreSQL a tsvector column and GIN index).
    /// </summary>
    string SessionTextMatchSql { get; }

    /// <summary>
    /// For stores whose planner cannot walk the list's (status, started_at) index and test the words per row by
    /// itself (SQLite: a set of matches from FTS5 is read whole before ordering): SQL selecting, as <c>"Value"</c>,
    /// how many sessions match <c>{0}</c> (as in <see cref="SessionTextMatchSql"/>), counting at most <c>{1}</c>.
    /// Null where the planner chooses between both ways itself (PostgreSQL, from the tsvector statistics).
    /// </summary>
    string? SessionTextCountSql => null;

    /// <summary>
    /// For stores whose planner misjudges rare words (PostgreSQL walks the (status, started_at) index and tests tens
    /// of thousands of rows for a word a thousand sessions hold): SQL selecting, as <c>"Value"</c>, at most
    /// <paramref name="limit"/> ids of sessions matching <paramref name="query"/> (a <see cref="SessionTextQuery"/>:
    /// letters, digits and spaces only). Fewer than the limit are every match, and the page is read from those ids;
    /// a common word is left to the planner (which walks the index then, and rightly).
    /// </summary>
    string? SessionTextFewSql(string query, int limit) => null;

    /// <summary>
    /// With <see cref="SessionTextCountSql"/>: SQL selecting, as <c>"Value"</c>, those of the session ids in
    /// <c>{1}</c> (a JSON array of <see cref="IdValue"/>s) that match <c>{0}</c>, testing each id on its own.
    /// </summary>
    string? SessionTextProbeSql => null;

    /// <summary>The full-text query for <paramref name="words"/> (already split and bounded by the Core rule):
    /// every word must occur, each as a whole word.</summary>
    string SessionTextQuery(IReadOnlyList<string> words);

    /// <summary>
    /// True where the provider's async ADO.NET calls complete synchronously anyway (SQLite): the writer, a dedicated
    /// loop, then calls the synchronous API and skips a Task and a continuation per statement.
    /// </summary>
    bool SynchronousWriter => false;

    /// <summary>
    /// True where the event-log writer sends its statements with <c>$1</c>, <c>$2</c>… placeholders bound by
    /// position: PostgreSQL, whose client otherwise rewrites every named parameter of every statement it sends.
    /// </summary>
    bool PositionalParameters => false;

    /// <summary>
    /// What the event-log append binds for an id. Converted on the appending thread so the single writer only
    /// binds; it must be exactly what the provider itself stores for the Guid.
    /// </summary>
    object IdValue(Guid id) => id;

    /// <summary>What the event-log append binds for a UTC instant (see <see cref="IdValue"/>).</summary>
    object InstantValue(DateTime utc) => utc;

    /// <summary>The finest instant the store keeps: an instant reads back truncated to it (PostgreSQL: a
    /// microsecond).</summary>
    TimeSpan InstantPrecision => TimeSpan.FromTicks(1);

    /// <summary>
    /// The fencing statement of an append that carries a run lease: returns a row only while the lease
    /// (<c>@run_id</c>, <c>@owner</c>, <c>@lease_version</c>) still holds, and keeps a concurrent claim waiting until
    /// the append commits. Null where one process owns the store and nothing needs fencing.
    /// </summary>
    string? FenceSql => null;

    /// <summary>Runs in the writer's transaction just before it commits, e.g. to tell other nodes which streams
    /// grew.</summary>
    Task BeforeCommitAsync(
        DbTransaction transaction,
        IReadOnlyList<CommittedStream> streams,
        CancellationToken cancellationToken
    ) => Task.CompletedTask;
}

/// <summary>One session stream an append grew, up to <paramref name="Sequence"/>.</summary>
public readonly record struct CommittedStream(Guid SessionId, long Sequence);
