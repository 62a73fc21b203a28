using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Skein.Store.Sqlite;

/// <summary>
/// SQLite tuning: WAL (readers never block the writer) and synchronous=NORMAL on every connection
/// (<see cref="SqliteConnectionPragmas"/>), which in WAL
/// mode loses nothing when the process is killed; only an OS crash can lose the last commits.
/// </summary>
public sealed class SqliteDialect : IStoreDialect
{
    public string Name => "sqlite";

    public async Task PrepareWriterConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        // Checkpoints are WalCheckpointer's; the writer runs one itself only if the WAL grows past the backstop.
        cmd.CommandText = SqliteConnectionPragmas.Text + " PRAGMA busy_timeout=30000;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AfterMigrateAsync(SkeinDbContext db, CancellationToken cancellationToken)
    {
        // journal_mode is stored in the database file: set once, it holds for every later connection.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public bool IsUniqueViolation(Exception exception) => exception is SqliteException { SqliteErrorCode: 19 };

    // sessions_fts shares the sessions table's rowids (its triggers insert, update and delete with the row).
    public string SessionTextMatchSql =>
        "SELECT s.id AS \"Value\" FROM sessions_fts f JOIN sessions s ON s.rowid = f.rowid "
        + "WHERE sessions_fts MATCH {0}";

    // LIMIT inside: a common word stops counting at the bound instead of reading its whole doclist.
    public string SessionTextCountSql =>
        "SELECT count(*) AS \"Value\" FROM (SELECT rowid FROM sessions_fts WHERE sessions_fts MATCH {0} LIMIT {1})";

    // EXISTS per row: FTS5 seeks each rowid in the word's doclist (MATCH with rowid =) instead of listing every match.
    public string SessionTextProbeSql =>
        "SELECT s.id AS \"Value\" FROM sessions s WHERE s.id IN (SELECT value FROM json_each({1})) "
        + "AND EXISTS (SELECT 1 FROM sessions_fts f WHERE sessions_fts MATCH {0} AND f.rowid = s.rowid)";

    // Each word quoted (a quote doubled): FTS5 reads it as a plain string, never as query syntax; words are ANDed.
    public string SessionTextQuery(IReadOnlyList<string> words) =>
        string.Join(' ', words.Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    public bool SynchronousWriter => true;

    // Exactly what Microsoft.Data.Sqlite (and EF Core) store for these types: TEXT, uppercase ids and invariant
    // instants.
    public object IdValue(Guid id) => id.ToString("D").ToUpperInvariant();

    public object InstantValue(DateTime utc) =>
        utc.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);
}
