using System.Data.Common;
using Skein.Core.Runs;
using Skein.Core.Sessions;

namespace Skein.Store.EventLog;

/// <summary>
/// The append path's statements, created once per writer connection and re-bound per row so each
/// provider can reuse its prepared statement. Plain SQL that SQLite and PostgreSQL both accept.
/// </summary>
internal sealed class AppendCommands(DbConnection connection)
{
    private readonly Statement _insertEvent = new(connection,
        "INSERT INTO session_events (session_id, sequence, run_id, tenant_id, type, data, actor, occurred_at) " +
        "VALUES (@session_id, @sequence, @run_id, @tenant_id, @type, @data, @actor, @occurred_at)");

    private readonly Statement _insertStep = new(connection,
        "INSERT INTO steps (id, run_id, session_id, tenant_id, sequence, event_sequence, type, content, tokens_used, error, started_at, finished_at) " +
        "VALUES (@id, @run_id, @session_id, @tenant_id, @sequence, @event_sequence, @type, @content, @tokens_used, @error, @started_at, @finished_at)");

    private readonly Statement _insertSession = new(connection,
        "INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, triggered_by, trigger_id, trigger_name, status, " +
        "total_tokens_used, output, error, input, start_context, root_run_id, entry_run_id, run_count, started_at, finished_at, version) " +
        "VALUES (@id, @tenant_id, @agent_id, @agent_version_id, @llm_model, @trigger_type, @triggered_by, @trigger_id, @trigger_name, @status, " +
        "@total_tokens_used, @output, @error, @input, @start_context, @root_run_id, @entry_run_id, @run_count, @started_at, @finished_at, @version)");

    private readonly Statement _updateSession = new(connection,
        "UPDATE sessions SET status = @status, total_tokens_used = @total_tokens_used, output = @output, error = @error, " +
        "entry_run_id = @entry_run_id, run_count = @run_count, finished_at = @finished_at, version = @version " +
        "WHERE id = @id AND version = @expected_version");

    // Most appends only add a step: then only tokens and version (step count for a run) move.
    private readonly Statement _updateSessionProgress = new(connection,
        "UPDATE sessions SET total_tokens_used = @total_tokens_used, version = @version WHERE id = @id AND version = @expected_version");

    private readonly Statement _insertRun = new(connection,
        "INSERT INTO runs (id, session_id, tenant_id, agent_id, agent_version_id, parent_run_id, depth, status, total_tokens_used, output, error, input, " +
        "started_at, finished_at, agent_name, version_label, llm_model, wake_at, completed_by, completion_note, step_count) " +
        "VALUES (@id, @session_id, @tenant_id, @agent_id, @agent_version_id, @parent_run_id, @depth, @status, @total_tokens_used, @output, @error, @input, " +
        "@started_at, @finished_at, @agent_name, @version_label, @llm_model, @wake_at, @completed_by, @completion_note, @step_count)");

    private readonly Statement _updateRun = new(connection,
        "UPDATE runs SET status = @status, total_tokens_used = @total_tokens_used, output = @output, error = @error, finished_at = @finished_at, " +
        "wake_at = @wake_at, completed_by = @completed_by, completion_note = @completion_note, step_count = @step_count WHERE id = @id");

    private readonly Statement _insertTask = new(connection,
        "INSERT INTO user_tasks (id, session_id, run_id, tenant_id, agent_id, kind, status, summary, context, tool_call_id, created_at, timeout_at, " +
        "outcome, answered_by, answered_at, cancel_reason) VALUES (@id, @session_id, @run_id, @tenant_id, @agent_id, @kind, @status, @summary, @context, " +
        "@tool_call_id, @created_at, @timeout_at, @outcome, @answered_by, @answered_at, @cancel_reason)");

    private readonly Statement _updateTask = new(connection,
        "UPDATE user_tasks SET status = @status, outcome = @outcome, answered_by = @answered_by, answered_at = @answered_at, cancel_reason = @cancel_reason WHERE id = @id");

    private readonly Statement _updateRunProgress = new(connection,
        "UPDATE runs SET total_tokens_used = @total_tokens_used, step_count = @step_count WHERE id = @id");

    public async Task WriteAsync(PreparedAppend append, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var s = append.Session;
        foreach (var e in append.Events)
        {
            await _insertEvent.ExecuteAsync(transaction, cancellationToken,
                s.Id, e.Sequence, e.RunId, s.TenantId, e.Type, e.Data, e.Actor, e.OccurredAt);
        }

        foreach (var step in append.Steps)
        {
            var st = step.Step;
            await _insertStep.ExecuteAsync(transaction, cancellationToken,
                st.Id, st.RunId, s.Id, s.TenantId, st.Sequence, step.EventSequence, st.Type, step.Content, st.TokensUsed, st.Error,
                st.StartedAt.UtcDateTime, st.FinishedAt.UtcDateTime);
        }

        if (append.IsNewSession)
        {
            await _insertSession.ExecuteAsync(transaction, cancellationToken,
                s.Id, s.TenantId, s.AgentId, s.AgentVersionId, s.LlmModel, s.TriggerType.ToWire(), s.TriggeredBy, s.TriggerId, s.TriggerName,
                s.Status.ToString(), s.TotalTokensUsed, append.SessionOutput, s.Error, append.SessionInput,
                append.StartContext, s.RootRunId, s.EntryRunId, s.RunCount,
                s.StartedAt.UtcDateTime, s.FinishedAt?.UtcDateTime, s.Version);
        }
        else
        {
            var updated = append.SessionProgressOnly
                ? await _updateSessionProgress.ExecuteAsync(transaction, cancellationToken,
                    s.TotalTokensUsed, s.Version, s.Id, append.ExpectedVersion)
                : await _updateSession.ExecuteAsync(transaction, cancellationToken,
                    s.Status.ToString(), s.TotalTokensUsed, append.SessionOutput, s.Error, s.EntryRunId, s.RunCount, s.FinishedAt?.UtcDateTime,
                    s.Version, s.Id, append.ExpectedVersion);
            if (updated != 1)
            {
                throw new StreamConflictException(s.Id, append.ExpectedVersion);
            }
        }

        foreach (var write in append.NewRuns)
        {
            var r = write.Run;
            await _insertRun.ExecuteAsync(transaction, cancellationToken,
                r.Id, s.Id, s.TenantId, r.AgentId, r.AgentVersionId, r.ParentRunId, r.Depth, r.Status.ToString(), r.TotalTokensUsed,
                write.Output, r.Error, write.Input, r.StartedAt.UtcDateTime, r.FinishedAt?.UtcDateTime, r.AgentName, r.VersionLabel,
                r.LlmModel, r.WakeAt?.UtcDateTime, r.CompletedBy, r.CompletionNote, r.Steps.Count);
        }

        foreach (var write in append.ChangedRuns)
        {
            var r = write.Run;
            await (write.ProgressOnly
                ? _updateRunProgress.ExecuteAsync(transaction, cancellationToken, r.TotalTokensUsed, r.Steps.Count, r.Id)
                : _updateRun.ExecuteAsync(transaction, cancellationToken,
                    r.Status.ToString(), r.TotalTokensUsed, write.Output, r.Error, r.FinishedAt?.UtcDateTime, r.WakeAt?.UtcDateTime,
                    r.CompletedBy, r.CompletionNote, r.Steps.Count, r.Id));
        }

        foreach (var t in append.NewTasks)
        {
            await _insertTask.ExecuteAsync(transaction, cancellationToken,
                t.Id, s.Id, t.RunId, s.TenantId, s.Runs[t.RunId].AgentId, t.Kind, t.Status.ToString(), t.Summary, t.Context.GetRawText(), t.ToolCallId,
                t.CreatedAt.UtcDateTime, t.TimeoutAt?.UtcDateTime, Outcome(t), t.Outcome?.By, t.Outcome?.At.UtcDateTime, t.CancelReason);
        }

        foreach (var t in append.ChangedTasks)
        {
            await _updateTask.ExecuteAsync(transaction, cancellationToken,
                t.Status.ToString(), Outcome(t), t.Outcome?.By, t.Outcome?.At.UtcDateTime, t.CancelReason, t.Id);
        }
    }

    private static string? Outcome(Core.UserTasks.UserTaskState task) =>
        task.Outcome is null ? null : System.Text.Json.JsonSerializer.Serialize(task.Outcome, Core.SkeinJson.Options);

    /// <summary>One reusable command whose parameters bind positionally in the order they appear in the SQL.</summary>
    private sealed class Statement
    {
        private readonly DbCommand _command;

        public Statement(DbConnection connection, string sql)
        {
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            foreach (var name in ParameterNames(sql))
            {
                var p = _command.CreateParameter();
                p.ParameterName = name;
                _command.Parameters.Add(p);
            }
        }

        public Task<int> ExecuteAsync(DbTransaction transaction, CancellationToken cancellationToken, params object?[] values)
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
            return _command.ExecuteNonQueryAsync(cancellationToken);
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
