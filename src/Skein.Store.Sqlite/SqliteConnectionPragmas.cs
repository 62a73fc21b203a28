using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Skein.Store.Sqlite;

/// <summary>
/// The same durability and checkpoint settings on every connection the store opens, not only on the event-log
/// writer's. SQLite's defaults (synchronous=FULL, a checkpoint by whichever commit passes 1,000 WAL pages) made each
/// commit of another connection (the ingress log's batches, API key and idempotency records, settings) fsync the
/// WAL while it held the database's one write lock, so the event-log writer, and every run start queued on it,
/// waited for that fsync; and a commit past 1,000 pages ran a whole checkpoint. With these pragmas no commit
/// fsyncs: checkpoints are <see cref="WalCheckpointer"/>'s (see <see cref="SqliteDialect"/> for what NORMAL keeps).
/// </summary>
public sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    /// <summary>What every connection runs once: no fsync per commit in WAL mode, checkpoints left to the
    /// checkpointer unless the WAL passes the backstop.</summary>
    public static readonly string Text =
        $"PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint={WalCheckpointer.WriterBackstopPages}; "
        + $"PRAGMA cache_size={CacheKibibytes};";

    // Up to 16 MiB of pages per connection (the default is 2 MiB), filled only as pages are read: at a million
    // sessions a search reads the full-text index's lists and the list indexes, which a 2 MiB cache re-reads from
    // the OS on every query (a search took 2-3 times as long). The cache is per pooled connection and the pool grows
    // with peak concurrency, so it stays modest (64 MiB each could hold gigabytes on a busy node); a small database
    // uses no more memory than before.
    private const int CacheKibibytes = -16_384;

    public static readonly SqliteConnectionPragmas Instance = new();

    // Pooled connections keep their native handle, and pragmas live on the handle: each is set up once.
    private static readonly ConditionalWeakTable<object, object> Prepared = new();

    private SqliteConnectionPragmas() { }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsPragmas(connection, out var sqlite))
        {
            using var command = sqlite.CreateCommand();
            command.CommandText = Text;
            command.ExecuteNonQuery();
            Prepared.AddOrUpdate(sqlite.Handle!, Instance);
        }
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection,
        ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        if (NeedsPragmas(connection, out var sqlite))
        {
            await using var command = sqlite.CreateCommand();
            command.CommandText = Text;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Prepared.AddOrUpdate(sqlite.Handle!, Instance);
        }
    }

    private static bool NeedsPragmas(DbConnection connection, out SqliteConnection sqlite)
    {
        sqlite = (SqliteConnection)connection;
        return sqlite.Handle is { } handle && !Prepared.TryGetValue(handle, out _);
    }
}
