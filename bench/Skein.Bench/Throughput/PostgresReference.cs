using Npgsql;
using Skein.Core;

namespace Skein.Bench.Throughput;

/// <summary>
/// The physical reference on PostgreSQL: the rows the engine wrote per run (read back from the engine's database),
/// inserted into a fresh database on the same server migrated the same way (same schema and indexes), as batches of
/// parameterized INSERTs, one round trip and one commit per <c>runsPerTransaction</c> runs, and nothing else: no
/// decisions, no serialization, no leases, no updates of projection rows.
/// </summary>
internal static class PostgresReference
{
    /// <summary>The tables of a run, in the order the event-log writer inserts them, with their key and order
    /// columns.</summary>
    private static readonly (string Table, string Key, string Order)[] Tables =
    [
        ("session_events", "session_id", "sequence"),
        ("steps", "session_id", "sequence"),
        ("sessions", "id", "id"),
        ("session_start_contexts", "session_id", "session_id"),
        ("runs", "session_id", "id"),
    ];

    /// <summary>One table's rows of a run, with each column's PostgreSQL type (for the casts of the inserts).</summary>
    internal sealed record PgTable(TableRows Rows, IReadOnlyList<string> Types);

    public static async Task<(RowShape Shape, IReadOnlyList<PgTable> Tables)> ReadShapeAsync(
        string connectionString,
        Guid sessionId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var tables = new List<PgTable>();
        foreach (var (table, key, order) in Tables)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT * FROM {table} WHERE {key} = @id ORDER BY {order}",
                connection
            );
            command.Parameters.AddWithValue("id", sessionId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);

            // global_sequence is the event log's identity key: PostgreSQL assigns it, as it does for the writer.
            var columns = Enumerable
                .Range(0, reader.FieldCount)
                .Where(i => reader.GetName(i) != "global_sequence")
                .ToArray();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add([.. columns.Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
            }

            if (rows.Count == 0)
            {
                throw new InvalidOperationException($"session {sessionId} left no rows in {table}");
            }

            tables.Add(
                new PgTable(
                    new TableRows(table, [.. columns.Select(reader.GetName)], rows),
                    [.. columns.Select(reader.GetDataTypeName)]
                )
            );
        }

        return (RowShape.Of([.. tables.Select(t => t.Rows)]), tables);
    }

    public static async Task<(PhaseCost Cost, PostgresCost Server)> RunAsync(
        string connectionString,
        IReadOnlyList<PgTable> tables,
        int runs,
        int runsPerTransaction,
        CancellationToken cancellationToken
    )
    {
        // Auto-prepared: the five INSERTs are parsed and planned once, as a tuned bulk writer would.
        var prepared = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxAutoPrepare = 16,
            AutoPrepareMinUsages = 2,
        };
        await using var connection = new NpgsqlConnection(prepared.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var inserts = tables.Select(t => new TableInsert(t)).ToList();
        var server = await PostgresMeter.StartAsync(connectionString, cancellationToken);
        var meter = new PhaseMeter();
        for (var done = 0; done < runs; )
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, tx);
            for (var i = 0; i < runsPerTransaction && done < runs; i++, done++)
            {
                var ids = new RunIds(Ids.New(), Ids.New());
                foreach (var insert in inserts)
                {
                    insert.Add(batch, ids);
                }
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        var cost = meter.Stop(runs);
        var serverCost = await server.StopAsync(cancellationToken);
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM {table.Rows.Table}", connection);
            var actual = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));
            if (actual != (long)runs * table.Rows.Rows.Count)
            {
                throw new InvalidOperationException(
                    $"reference wrote {actual} {table.Rows.Table} rows, expected {runs * table.Rows.Rows.Count}"
                );
            }
        }

        return (cost, serverCost);
    }

    private sealed record RunIds(Guid SessionId, Guid RunId);

    /// <summary>One INSERT for a table, replaying the engine's rows with this run's ids.</summary>
    private sealed class TableInsert
    {
        private readonly string _sql;
        private readonly TableRows _rows;
        private readonly Func<RunIds, object?, object?>[] _bind;

        public TableInsert(PgTable table)
        {
            _rows = table.Rows;
            var values = table.Types.Select((type, i) => $"${i + 1}::{type}");
            _sql =
                $"INSERT INTO {_rows.Table} ({string.Join(", ", _rows.Columns)}) VALUES ({string.Join(", ", values)})";
            _bind = [.. _rows.Columns.Select(c => Binder(_rows.Table, c))];
        }

        public void Add(NpgsqlBatch batch, RunIds ids)
        {
            foreach (var row in _rows.Rows)
            {
                var command = new NpgsqlBatchCommand(_sql);
                for (var i = 0; i < row.Length; i++)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = _bind[i](ids, row[i]) ?? DBNull.Value });
                }

                batch.BatchCommands.Add(command);
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
                ("steps", "id") => (_, _) => Ids.New(),
                _ => (_, value) => value,
            };
    }

    /// <summary>
    /// Of the updates to <c>sessions</c> and <c>runs</c>, the share that stayed on their page (HOT: no index entry
    /// written). Token and output updates can; status changes cannot (status is indexed).
    /// </summary>
    public static async Task<string> HotUpdatesAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                + "WHERE relname IN ('sessions', 'runs') ORDER BY relname DESC",
            connection
        );
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var parts = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (updates, hot) = (reader.GetInt64(1), reader.GetInt64(2));
            parts.Add(
                $"{reader.GetString(0)} {hot:N0} of {updates:N0} ({(updates == 0 ? 0 : (double)hot / updates):P0})"
            );
        }

        return string.Join(", ", parts);
    }
}
