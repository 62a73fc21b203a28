using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Skein.Store.Leases;

namespace Skein.Store.Postgres;

/// <summary>PostgreSQL: several nodes share the store, so appends are fenced by run leases and announce their
/// commits.</summary>
public sealed class PostgresDialect(NodeIdentity node) : IStoreDialect
{
    /// <summary>The LISTEN/NOTIFY channel that carries "node tag, session id, sequence" of every commit.</summary>
    public const string CommitChannel = "skein_commits";

    public string Name => "postgres";

    public bool PositionalParameters => true;

    // FOR KEY SHARE: a claim (which locks FOR UPDATE) waits until the append commits, then sees its rows; the
    // heartbeat's and releases' plain updates do not wait, so they cannot deadlock with a batch of appends.
    // The owner is compared with IS NOT DISTINCT FROM (the column is NOT NULL, so it means =) because that cannot
    // use the owner index: the statement is prepared, and a generic plan made before the table has statistics
    // otherwise scans every lease of this node (one owner holds them all) instead of looking up the key.
    public string FenceSql =>
        "SELECT 1 FROM run_leases WHERE run_id = @run_id AND owner IS NOT DISTINCT FROM @owner "
        + "AND lease_version = @lease_version FOR KEY SHARE";

    // session_search is written by a trigger on sessions from input, output and error ('simple': no stemming).
    public string SessionTextMatchSql =>
        "SELECT session_id AS \"Value\" FROM session_search WHERE search_text @@ plainto_tsquery('simple', {0})";

    public string SessionTextQuery(IReadOnlyList<string> words) => string.Join(' ', words);

    // With the LIMIT the planner reads a common word's first rows by a scan that stops early, a rare word's by the
    // GIN index. The words are in the text, not a parameter: a prepared statement's generic plan cannot tell a common
    // word from a rare one and took the GIN index for both (a million-row bitmap for 'order': 150 ms). They are
    // letters and digits only (the Core rule splits q on everything else), checked again here.
    // Anything else (the rule changed, a caller bypassed it) gets no inlined statement: fail closed to the
    // parameterized path.
    public string? SessionTextFewSql(string query, int limit) =>
        query.All(c => char.IsLetterOrDigit(c) || c == ' ')
            ? "SELECT session_id AS \"Value\" FROM session_search WHERE search_text @@ plainto_tsquery('simple', '"
                + query
                + "') LIMIT "
                + limit.ToString(CultureInfo.InvariantCulture)
            : null;

    public Task PrepareWriterConnectionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task AfterMigrateAsync(SkeinDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public TimeSpan InstantPrecision => TimeSpan.FromMicroseconds(1);

    public bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// Notifications sent in the transaction are delivered only if it commits, in commit order. A listener reads the
    /// events themselves from the table, so a notification that is missed (a listener reconnecting) loses nothing.
    /// </summary>
    public async Task BeforeCommitAsync(
        DbTransaction transaction,
        IReadOnlyList<CommittedStream> streams,
        CancellationToken cancellationToken
    )
    {
        if (streams.Count == 0 || transaction.Connection is not NpgsqlConnection connection)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT pg_notify('{CommitChannel}', p) FROM unnest(@payloads) AS p",
            connection,
            (NpgsqlTransaction)transaction
        );
        command.Parameters.Add(
            new NpgsqlParameter("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = streams
                    .Select(s =>
                        string.Create(CultureInfo.InvariantCulture, $"{node.Tag} {s.SessionId:N} {s.Sequence}")
                    )
                    .ToArray(),
            }
        );
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
