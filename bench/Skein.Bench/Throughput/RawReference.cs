using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skein.Core;
using Skein.Store;
using Skein.Store.Sqlite;

namespace Skein.Bench.Throughput;

/// <summary>
/// The physical reference: the rows the engine wrote per run, inserted into a fresh file migrated the same way
/// (same schema and indexes, WAL, synchronous=NORMAL) with prepared statements, many runs per transaction, and
/// nothing else: no decisions, no serialization, no updates of projection rows.
/// </summary>
internal static class RawReference
{
    public static async Task<PhaseCost> RunAsync(
        string databasePath,
        RowShape shape,
        int runs,
        int runsPerTransaction,
        CancellationToken cancellationToken
    )
    {
        await MigrateAsync(databasePath, cancellationToken);
        await using var connection = new SqliteConnection(SqliteStoreExtensions.ConnectionString(databasePath));
        await connection.OpenAsync(cancellationToken);
        await new SqliteDialect().PrepareWriterConnectionAsync(connection, cancellationToken);

        var inserts = shape.Tables.Select(t => new TableInsert(connection, t)).ToList();
        var meter = new PhaseMeter();
        for (var done = 0; done < runs; )
        {
            using var tx = connection.BeginTransaction();
            for (var i = 0; i < runsPerTransaction && done < runs; i++, done++)
            {
                var ids = new RunIds(RowShape.GuidText(Ids.New()), RowShape.GuidText(Ids.New()));
                foreach (var insert in inserts)
                {
                    insert.Write(tx, ids);
                }
            }

            tx.Commit();
        }

        var cost = meter.Stop(runs);
        await VerifyAsync(connection, shape, runs, cancellationToken);
        return cost;
    }

    private static async Task MigrateAsync(string databasePath, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSkeinSqliteStore(databasePath);
        await using var provider = services.BuildServiceProvider();
        await new DatabaseMigrator(
            provider.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            provider.GetRequiredService<IStoreDialect>()
        ).StartAsync(cancellationToken);
    }

    private static async Task VerifyAsync(
        SqliteConnection connection,
        RowShape shape,
        int runs,
        CancellationToken cancellationToken
    )
    {
        foreach (var table in shape.Tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {table.Table}";
            var actual = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));
            if (actual != (long)runs * table.Rows.Count)
            {
                throw new InvalidOperationException(
                    $"reference wrote {actual} {table.Table} rows, expected {runs * table.Rows.Count}"
                );
            }
        }
    }

    private sealed record RunIds(string SessionId, string RunId);

    /// <summary>One prepared INSERT for a table, replaying the engine's rows with this run's ids.</summary>
    private sealed class TableInsert
    {
        private readonly SqliteCommand _command;
        private readonly TableRows _rows;
        private readonly Func<RunIds, object?, object?>[] _bind;

        public TableInsert(SqliteConnection connection, TableRows rows)
        {
            _rows = rows;
            _command = connection.CreateCommand();
            _command.CommandText =
                $"INSERT INTO {rows.Table} ({string.Join(", ", rows.Columns)}) VALUES "
                + $"({string.Join(", ", rows.Columns.Select((_, i) => $"$p{i}"))})";
            foreach (var (_, i) in rows.Columns.Select((c, i) => (c, i)))
            {
                _command.Parameters.Add(new SqliteParameter($"$p{i}", null));
            }

            _bind = [.. rows.Columns.Select(c => Binder(rows.Table, c))];
        }

        public void Write(SqliteTransaction transaction, RunIds ids)
        {
            _command.Transaction = transaction;
            foreach (var row in _rows.Rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    _command.Parameters[i].Value = _bind[i](ids, row[i]) ?? DBNull.Value;
                }

                _command.ExecuteNonQuery();
            }
        }

        /// <summary>Keys become this run's; every other value (payloads, timestamps, statuses) is the engine's
        /// own.</summary>
        private static Func<RunIds, object?, object?> Binder(string table, string column) =>
            (table, column) switch
            {
                ("sessions", "id") or (_, "session_id") => (ids, _) => ids.SessionId,
                ("runs", "id") or (_, "root_run_id") or (_, "entry_run_id") => (ids, _) => ids.RunId,
                (_, "run_id") => (ids, value) => value is null ? null : ids.RunId,
                ("steps", "id") => (_, _) => RowShape.GuidText(Ids.New()),
                _ => (_, value) => value,
            };
    }
}
