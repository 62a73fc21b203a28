using System.Data.Common;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.UserTasks;

namespace Skein.Store.EventLog;

/// <summary>
/// The append path's statements: each SQL text next to the builder of its values, so a column and its value
/// are matched in one place. Rows are built on the appending thread (<see cref="PreparedAppend"/>); the writer
/// connection creates each statement once and re-binds it per row, so each provider reuses its prepared
/// statement. Plain SQL that SQLite and PostgreSQL both accept.
/// </summary>
internal sealed class AppendCommands(DbConnection connection, bool synchronous)
{
    private readonly Statement[] _statements =
    [
        .. Enum.GetValues<AppendRowKind>().Select(kind => new Statement(connection, Sql(kind), synchronous)),
    ];

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
            await _statements[(int)row.Kind].ExecuteAsync(transaction, row.Values, cancellationToken);
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
            var statement = _statements[(int)row.Kind];
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Sql;
            statement.Bind(command, row.Values);
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static string Sql(AppendRowKind kind) =>
        kind switch
        {
            AppendRowKind.InsertEvent =>
                "INSERT INTO session_events (session_id, sequence, run_id, tenant_id, type, data, actor, occurred_at) "
                    + "VALUES (@session_id, @sequence, @run_id, @tenant_id, @type, @data, @actor, @occurred_at)",
            AppendRowKind.InsertStep =>
                "INSERT INTO steps (id, run_id, session_id, tenant_id, sequence, event_sequence, type, content, tokens_used, error, started_at, finished_at) "
                    + "VALUES (@id, @run_id, @session_id, @tenant_id, @sequence, @event_sequence, @type, @content, @tokens_used, @error, @started_at, @finished_at)",
            AppendRowKind.InsertSession =>
                "INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, triggered_by, trigger_id, trigger_name, status, "
                    + "total_tokens_used, output, error, input, root_run_id, entry_run_id, run_count, started_at, finished_at) "
                    + "VALUES (@id, @tenant_id, @agent_id, @agent_version_id, @llm_model, @trigger_type, @triggered_by, @trigger_id, @trigger_name, @status, "
                    + "@total_tokens_used, @output, @error, @input, @root_run_id, @entry_run_id, @run_count, @started_at, @finished_at)",
            AppendRowKind.InsertStartContext =>
                "INSERT INTO session_start_contexts (session_id, start_context) VALUES (@session_id, @start_context)",
            AppendRowKind.UpdateSession =>
                "UPDATE sessions SET status = @status, total_tokens_used = @total_tokens_used, output = @output, error = @error, "
                    + "entry_run_id = @entry_run_id, run_count = @run_count, finished_at = @finished_at WHERE id = @id",
            AppendRowKind.UpdateSessionProgress =>
                "UPDATE sessions SET total_tokens_used = @total_tokens_used WHERE id = @id",
            AppendRowKind.InsertRun =>
                "INSERT INTO runs (id, session_id, tenant_id, agent_id, agent_version_id, parent_run_id, depth, status, total_tokens_used, output, error, input, "
                    + "started_at, finished_at, agent_name, version_label, llm_model, wake_at, completed_by, completion_note) "
                    + "VALUES (@id, @session_id, @tenant_id, @agent_id, @agent_version_id, @parent_run_id, @depth, @status, @total_tokens_used, @output, @error, @input, "
                    + "@started_at, @finished_at, @agent_name, @version_label, @llm_model, @wake_at, @completed_by, @completion_note)",
            AppendRowKind.UpdateRun =>
                "UPDATE runs SET status = @status, total_tokens_used = @total_tokens_used, output = @output, error = @error, finished_at = @finished_at, "
                    + "wake_at = @wake_at, completed_by = @completed_by, completion_note = @completion_note WHERE id = @id",
            AppendRowKind.UpdateRunProgress => "UPDATE runs SET total_tokens_used = @total_tokens_used WHERE id = @id",
            AppendRowKind.InsertTask =>
                "INSERT INTO user_tasks (id, session_id, run_id, tenant_id, agent_id, kind, status, summary, context, tool_call_id, created_at, timeout_at, "
                    + "outcome, answered_by, answered_at, cancel_reason) VALUES (@id, @session_id, @run_id, @tenant_id, @agent_id, @kind, @status, @summary, @context, "
                    + "@tool_call_id, @created_at, @timeout_at, @outcome, @answered_by, @answered_at, @cancel_reason)",
            AppendRowKind.UpdateTask =>
                "UPDATE user_tasks SET status = @status, outcome = @outcome, answered_by = @answered_by, answered_at = @answered_at, cancel_reason = @cancel_reason WHERE id = @id",
            AppendRowKind.AddSessionCount =>
                "INSERT INTO session_counts (tenant_id, agent_id, agent_version_id, status, sessions) VALUES (@tenant_id, @agent_id, @agent_version_id, @status, @sessions) "
                    + "ON CONFLICT (tenant_id, agent_id, agent_version_id, status) DO UPDATE SET sessions = session_counts.sessions + excluded.sessions",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    public static AppendRow InsertEvent(
        RowValues v,
        SessionState s,
        long sequence,
        Guid? runId,
        string type,
        string data,
        string actor,
        DateTimeOffset at
    ) =>
        new(
            AppendRowKind.InsertEvent,
            [v.Id(s.Id), sequence, v.Id(runId), v.Id(s.TenantId), type, data, actor, v.Instant(at)]
        );

    public static AppendRow InsertStep(
        RowValues v,
        SessionState s,
        StepRecord st,
        long eventSequence,
        string content
    ) =>
        new(
            AppendRowKind.InsertStep,
            [
                v.Id(st.Id),
                v.Id(st.RunId),
                v.Id(s.Id),
                v.Id(s.TenantId),
                st.Sequence,
                eventSequence,
                st.Type,
                content,
                st.TokensUsed,
                st.Error,
                v.Instant(st.StartedAt),
                v.Instant(st.FinishedAt),
            ]
        );

    public static AppendRow InsertSession(RowValues v, SessionState s, string? output, string? input) =>
        new(
            AppendRowKind.InsertSession,
            [
                v.Id(s.Id),
                v.Id(s.TenantId),
                v.Id(s.AgentId),
                v.Id(s.AgentVersionId),
                s.LlmModel,
                s.TriggerType.ToWire(),
                s.TriggeredBy,
                v.Id(s.TriggerId),
                s.TriggerName,
                s.Status.ToString(),
                s.TotalTokensUsed,
                output,
                s.Error,
                input,
                v.Id(s.RootRunId),
                v.Id(s.EntryRunId),
                s.RunCount,
                v.Instant(s.StartedAt),
                v.Instant(s.FinishedAt),
            ]
        );

    public static AppendRow InsertStartContext(RowValues v, SessionState s, string startContext) =>
        new(AppendRowKind.InsertStartContext, [v.Id(s.Id), startContext]);

    public static AppendRow UpdateSession(RowValues v, SessionState s, string? output) =>
        new(
            AppendRowKind.UpdateSession,
            [
                s.Status.ToString(),
                s.TotalTokensUsed,
                output,
                s.Error,
                v.Id(s.EntryRunId),
                s.RunCount,
                v.Instant(s.FinishedAt),
                v.Id(s.Id),
            ]
        );

    /// <summary>A step that used tokens but changed nothing else: only the running total moves.</summary>
    public static AppendRow UpdateSessionProgress(RowValues v, SessionState s) =>
        new(AppendRowKind.UpdateSessionProgress, [s.TotalTokensUsed, v.Id(s.Id)]);

    public static AppendRow InsertRun(RowValues v, SessionState s, RunState r, string? output, string? input) =>
        new(
            AppendRowKind.InsertRun,
            [
                v.Id(r.Id),
                v.Id(s.Id),
                v.Id(s.TenantId),
                v.Id(r.AgentId),
                v.Id(r.AgentVersionId),
                v.Id(r.ParentRunId),
                r.Depth,
                r.Status.ToString(),
                r.TotalTokensUsed,
                output,
                r.Error,
                input,
                v.Instant(r.StartedAt),
                v.Instant(r.FinishedAt),
                r.AgentName,
                r.VersionLabel,
                r.LlmModel,
                v.Instant(r.WakeAt),
                r.CompletedBy,
                r.CompletionNote,
            ]
        );

    public static AppendRow UpdateRun(RowValues v, RunState r, string? output) =>
        new(
            AppendRowKind.UpdateRun,
            [
                r.Status.ToString(),
                r.TotalTokensUsed,
                output,
                r.Error,
                v.Instant(r.FinishedAt),
                v.Instant(r.WakeAt),
                r.CompletedBy,
                r.CompletionNote,
                v.Id(r.Id),
            ]
        );

    public static AppendRow UpdateRunProgress(RowValues v, RunState r) =>
        new(AppendRowKind.UpdateRunProgress, [r.TotalTokensUsed, v.Id(r.Id)]);

    public static AppendRow InsertTask(RowValues v, SessionState s, UserTaskState t, string? outcome) =>
        new(
            AppendRowKind.InsertTask,
            [
                v.Id(t.Id),
                v.Id(s.Id),
                v.Id(t.RunId),
                v.Id(s.TenantId),
                v.Id(s.Runs[t.RunId].AgentId),
                t.Kind,
                t.Status.ToString(),
                t.Summary,
                t.Context.GetRawText(),
                t.ToolCallId,
                v.Instant(t.CreatedAt),
                v.Instant(t.TimeoutAt),
                outcome,
                t.Outcome?.By,
                v.Instant(t.Outcome?.At),
                t.CancelReason,
            ]
        );

    public static AppendRow UpdateTask(RowValues v, UserTaskState t, string? outcome) =>
        new(
            AppendRowKind.UpdateTask,
            [t.Status.ToString(), outcome, t.Outcome?.By, v.Instant(t.Outcome?.At), t.CancelReason, v.Id(t.Id)]
        );

    public static AppendRow AddSessionCount(RowValues v, SessionCountKey key, long delta) =>
        new(
            AppendRowKind.AddSessionCount,
            [v.Id(key.TenantId), v.Id(key.AgentId), v.Id(key.AgentVersionId), key.Status.ToString(), delta]
        );

    /// <summary>One reusable command whose parameters bind positionally in the order they appear in the SQL.</summary>
    private sealed class Statement
    {
        private readonly DbCommand _command;

        private readonly bool _synchronous;

        public Statement(DbConnection connection, string sql, bool synchronous)
        {
            _synchronous = synchronous;
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            foreach (var name in ParameterNames(sql))
            {
                var p = _command.CreateParameter();
                p.ParameterName = name;
                _command.Parameters.Add(p);
            }
        }

        public string Sql => _command.CommandText;

        /// <summary>Binds one row's values to a batch command, under this statement's parameter names.</summary>
        public void Bind(DbBatchCommand command, object?[] values)
        {
            Check(values);
            for (var i = 0; i < values.Length; i++)
            {
                var p = command.CreateParameter();
                p.ParameterName = _command.Parameters[i].ParameterName;
                p.Value = values[i] ?? DBNull.Value;
                command.Parameters.Add(p);
            }
        }

        public Task<int> ExecuteAsync(DbTransaction transaction, object?[] values, CancellationToken cancellationToken)
        {
            Check(values);

            for (var i = 0; i < values.Length; i++)
            {
                _command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            _command.Transaction = transaction;
            return _synchronous
                ? Task.FromResult(_command.ExecuteNonQuery())
                : _command.ExecuteNonQueryAsync(cancellationToken);
        }

        private void Check(object?[] values)
        {
            if (values.Length != _command.Parameters.Count)
            {
                throw new ArgumentException($"expected {_command.Parameters.Count} values for: {_command.CommandText}");
            }
        }

        private static IEnumerable<string> ParameterNames(string sql)
        {
            var seen = new HashSet<string>();
            for (var i = sql.IndexOf('@'); i >= 0; i = sql.IndexOf('@', i + 1))
            {
                var end = i + 1;
                while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
                {
                    end++;
                }

                var name = sql[i..end];
                if (seen.Add(name))
                {
                    yield return name;
                }
            }
        }
    }
}

/// <summary>Which statement a row goes through; the order is the writer's statement table.</summary>
internal enum AppendRowKind
{
    InsertEvent,
    InsertStep,
    InsertSession,
    InsertStartContext,
    UpdateSession,
    UpdateSessionProgress,
    InsertRun,
    UpdateRun,
    UpdateRunProgress,
    InsertTask,
    UpdateTask,
    AddSessionCount,
}

/// <summary>One statement's values, in the order of its parameters, ready to bind.</summary>
internal sealed record AppendRow(AppendRowKind Kind, object?[] Values);

/// <summary>Ids and instants as the store binds them (<see cref="IStoreDialect.IdValue"/>).</summary>
internal readonly struct RowValues(IStoreDialect dialect)
{
    public object Id(Guid id) => dialect.IdValue(id);

    public object? Id(Guid? id) => id is { } value ? dialect.IdValue(value) : null;

    public object Instant(DateTimeOffset at) => dialect.InstantValue(at.UtcDateTime);

    public object? Instant(DateTimeOffset? at) => at is { } value ? dialect.InstantValue(value.UtcDateTime) : null;
}
