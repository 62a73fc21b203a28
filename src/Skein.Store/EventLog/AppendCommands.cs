using System.Data.Common;

namespace Skein.Store.EventLog;

/// <summary>
/// The append path's statements. Their text comes from the row maps (<see cref="RowMap{T}"/>) and the values are
/// bound on the appending thread (<see cref="PreparedAppend"/>); the writer connection prepares each statement the
/// first time it sees it and re-binds it per row, so each provider reuses its prepared statement. Plain SQL that
/// SQLite and PostgreSQL both accept.
/// </summary>
internal sealed class AppendCommands(DbConnection connection, bool synchronous, bool positional)
{
    /// <summary>Adds a delta to one session count (see <see cref="SessionCountDeltas"/>).</summary>
    public static readonly SqlText AddSessionCountSql = new(
        "INSERT INTO session_counts (tenant_id, agent_id, agent_version_id, trigger_id, status, sessions) "
            + "VALUES (@tenant_id, @agent_id, @agent_version_id, @trigger_id, @status, @sessions) "
            + "ON CONFLICT (tenant_id, agent_id, agent_version_id, trigger_id, status) "
            + "DO UPDATE SET sessions = session_counts.sessions + excluded.sessions"
    );

    private readonly Dictionary<SqlText, Statement> _statements = [];

    public async Task WriteAsync(
        IEnumerable<AppendRow> rows,
        DbTransaction transaction,
        CancellationToken cancellationToken
    )
    {
        foreach (var row in rows)
        {
            // No version check here: the unique (session_id, sequence) key of session_events already refuses a second
            // append at the same stream position, and the writer reports that as a StreamConflictException.
            await StatementOf(row.Sql).ExecuteAsync(transaction, row.Values, cancellationToken);
        }
    }

    /// <summary>
    /// The same rows as one <see cref="DbBatch"/>: a client/server store (PostgreSQL) gets a whole group commit in
    /// one round trip instead of one per statement. Each row's values bind to fresh parameters, by name as in its SQL.
    /// </summary>
    public async Task WriteBatchAsync(
        IEnumerable<AppendRow> rows,
        DbTransaction transaction,
        CancellationToken cancellationToken
    )
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var row in rows)
        {
            var command = batch.CreateBatchCommand();
            Bind(command, row);
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static AppendRow AddSessionCount(RowValues v, SessionCountKey key, long delta) =>
        new(
            AddSessionCountSql,
            [
                v.Id(key.TenantId),
                v.Id(key.AgentId),
                v.Id(key.AgentVersionId),
                v.Id(key.TriggerId),
                key.Status.ToString(),
                delta,
            ]
        );

    private Statement StatementOf(SqlText sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new Statement(connection, sql, synchronous);
            _statements.Add(sql, statement);
        }

        return statement;
    }

    /// <summary>Binds one row's values to a batch command: by position where the store takes <c>$n</c>
    /// placeholders, else under its statement's parameter names.</summary>
    private void Bind(DbBatchCommand command, AppendRow row)
    {
        Check(row);
        command.CommandText = positional ? row.Sql.Positional : row.Sql.Text;
        for (var i = 0; i < row.Values.Length; i++)
        {
            var p = command.CreateParameter();
            if (!positional)
            {
                p.ParameterName = row.Sql.ParameterNames[i];
            }

            p.Value = row.Values[i] ?? DBNull.Value;
            command.Parameters.Add(p);
        }
    }

    private static void Check(AppendRow row)
    {
        if (row.Values.Length != row.Sql.ParameterNames.Count)
        {
            throw new ArgumentException($"expected {row.Sql.ParameterNames.Count} values for: {row.Sql.Text}");
        }
    }

    /// <summary>One reusable command whose parameters bind positionally in the order they appear in the SQL.</summary>
    private sealed class Statement
    {
        private readonly DbCommand _command;

        private readonly bool _synchronous;

        public Statement(DbConnection connection, SqlText sql, bool synchronous)
        {
            _synchronous = synchronous;
            _command = connection.CreateCommand();
            _command.CommandText = sql.Text;
            foreach (var name in sql.ParameterNames)
            {
                var p = _command.CreateParameter();
                p.ParameterName = name;
                _command.Parameters.Add(p);
            }
        }

        public Task<int> ExecuteAsync(DbTransaction transaction, object?[] values, CancellationToken cancellationToken)
        {
            if (values.Length != _command.Parameters.Count)
            {
                throw new ArgumentException($"expected {_command.Parameters.Count} values for: {_command.CommandText}");
            }

            for (var i = 0; i < values.Length; i++)
            {
                _command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            _command.Transaction = transaction;
            return _synchronous
                ? Task.FromResult(_command.ExecuteNonQuery())
                : _command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

/// <summary>One statement's values, in the order of its parameters, ready to bind.</summary>
internal sealed record AppendRow(SqlText Sql, object?[] Values);

/// <summary>Ids and instants as the store binds them (<see cref="IStoreDialect.IdValue"/>).</summary>
internal readonly struct RowValues(IStoreDialect dialect)
{
    public object Id(Guid id) => dialect.IdValue(id);

    /// <summary>A column value as the store binds it: ids and instants converted, everything else as it is.</summary>
    public object? Bind(object? value) =>
        value switch
        {
            Guid id => dialect.IdValue(id),
            DateTimeOffset at => dialect.InstantValue(at.UtcDateTime),
            _ => value,
        };
}
