using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Skein.Store.Sqlite;

/// <summary>
/// Moves SQLite's WAL checkpoints off the event-log writer. A checkpoint copies the WAL into the database file and
/// fsyncs it; SQLite runs one inside whichever commit grows the WAL past 1,000 pages, and on the writer that meant
/// every append queued behind it waited for the fsync (on this machine's disk, up to half a second now and then,
/// while commits themselves, synchronous=NORMAL in WAL mode, never fsync). Here a connection of its own runs a
/// PASSIVE checkpoint, which takes no lock that writers or readers wait on, every <see cref="Interval"/>. The writer
/// keeps a high automatic threshold as a backstop in case this service falls behind.
/// </summary>
public sealed partial class WalCheckpointer(string connectionString, ILogger<WalCheckpointer> logger)
    : BackgroundService
{
    // Short, so each checkpoint copies and fsyncs little: while the WAL is fsynced, the writer's own WAL writes on this
    // disk stall for a few ms each. Start-latency p99 on a quiet machine: 2 s between checkpoints 49.7 / 63.2 ms,
    // 250 ms 4.6 to 8.8 ms, 100 ms 4.0 / 5.0 ms.
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Pages the WAL may reach before the writer checkpoints by itself (≈ 64 MB at 4 KiB pages).</summary>
    public const int WriterBackstopPages = 16_384;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        SqliteConnection? connection = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    connection ??= await OpenAsync(stoppingToken);
                    if (connection is not null)
                    {
                        await CheckpointAsync(connection, stoppingToken);
                    }
                }
                catch (SqliteException ex)
                {
                    // The next tick tries again on a fresh connection; until then the writer's backstop bounds the WAL.
                    Log.CheckpointFailed(logger, ex);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>A connection for checkpoints, or null while the database is not in WAL mode yet (before
    /// migration).</summary>
    private async Task<SqliteConnection?> OpenAsync(CancellationToken cancellationToken)
    {
        // Unpooled: this connection's pragmas stay on it instead of reaching a context's connection from the pool.
        var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString()
        );
        await connection.OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        // NORMAL as on the writer: the checkpoint syncs the WAL and the database file, commits do not. Reading the
        // journal mode also opens the WAL on this connection; until then a checkpoint here does nothing.
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA journal_mode;";
        if (await cmd.ExecuteScalarAsync(cancellationToken) is "wal")
        {
            return connection;
        }

        await connection.DisposeAsync();
        return null;
    }

    private async Task CheckpointAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();

        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        // Columns: busy flag, pages in the WAL, pages copied into the database file (-1 when not in WAL mode).
        if (await reader.ReadAsync(cancellationToken) && reader.GetInt64(2) > 0)
        {
            var copied = reader.GetInt64(2);
            var pages = reader.GetInt64(1);
            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Log.Checkpointed(logger, copied, pages, milliseconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2101,
            Level = LogLevel.Debug,
            Message = "Checkpointed {Copied} of {Pages} WAL pages in {Milliseconds:0.0} ms"
        )]
        public static partial void Checkpointed(ILogger logger, long copied, long pages, double milliseconds);

        [LoggerMessage(
            EventId = 2102,
            Level = LogLevel.Warning,
            Message = "WAL checkpoint failed; retrying on the next tick"
        )]
        public static partial void CheckpointFailed(ILogger logger, Exception exception);
    }
}
