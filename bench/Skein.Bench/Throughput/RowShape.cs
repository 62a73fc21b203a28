using System.Text;
using Microsoft.Data.Sqlite;
using Skein.Store.Sqlite;

namespace Skein.Bench.Throughput;

/// <summary>
/// Every row one completed engine run left behind (its session, run, steps and events), read back from
/// the engine's file so the raw reference writes the same row counts, columns and payload sizes.
/// </summary>
internal sealed class RowShape
{
    private RowShape(IReadOnlyList<TableRows> tables) => Tables = tables;

    /// <summary>A shape read some other way (PostgreSQL's, <see cref="PostgresReference"/>).</summary>
    public static RowShape Of(IReadOnlyList<TableRows> tables) => new(tables);

    /// <summary>In the order the event-log writer inserts them.</summary>
    public IReadOnlyList<TableRows> Tables { get; }

    public int RowsPerRun => Tables.Sum(t => t.Rows.Count);

    /// <summary>Bytes of column values (UTF-8 text, 8 per number): the payload, without SQLite's record and index
    /// overhead.</summary>
    public long BytesPerRun => Tables.Sum(t => t.Rows.Sum(r => r.Sum(ValueBytes)));

    public string Describe() => string.Join(", ", Tables.Select(t => $"{t.Table} {t.Rows.Count}"));

    /// <summary>How SQLite (Microsoft.Data.Sqlite and EF Core) stores a Guid: uppercase TEXT.</summary>
    public static string GuidText(Guid id) => id.ToString("D").ToUpperInvariant();

    public static async Task<RowShape> ReadAsync(
        string databasePath,
        Guid sessionId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = new SqliteConnection(SqliteStoreExtensions.ConnectionString(databasePath));
        await connection.OpenAsync(cancellationToken);
        var id = GuidText(sessionId);
        TableRows[] tables =
        [
            await ReadAsync(connection, "session_events", "session_id", "sequence", id, cancellationToken),
            await ReadAsync(connection, "steps", "session_id", "sequence", id, cancellationToken),
            await ReadAsync(connection, "sessions", "id", "id", id, cancellationToken),
            await ReadAsync(connection, "session_start_contexts", "session_id", "session_id", id, cancellationToken),
            await ReadAsync(connection, "runs", "session_id", "id", id, cancellationToken),
        ];
        if (tables.Any(t => t.Rows.Count == 0))
        {
            throw new InvalidOperationException(
                $"session {sessionId} left no rows in "
                    + $"{string.Join(", ", tables.Where(t => t.Rows.Count == 0).Select(t => t.Table))}"
            );
        }

        return new RowShape(tables);
    }

    private static async Task<TableRows> ReadAsync(
        SqliteConnection connection,
        string table,
        string key,
        string order,
        string id,
        CancellationToken cancellationToken
    )
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table} WHERE {key} = $id ORDER BY {order}";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        // global_sequence is the event log's autoincrement key: SQLite assigns it, as it does for the writer.
        var columns = Enumerable
            .Range(0, reader.FieldCount)
            .Where(i => reader.GetName(i) != "global_sequence")
            .ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add([.. columns.Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
        }

        return new TableRows(table, [.. columns.Select(reader.GetName)], rows);
    }

    private static long ValueBytes(object? value) =>
        value switch
        {
            null => 0,
            string s => Encoding.UTF8.GetByteCount(s),
            byte[] b => b.Length,
            _ => 8,
        };
}

internal sealed record TableRows(string Table, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);
