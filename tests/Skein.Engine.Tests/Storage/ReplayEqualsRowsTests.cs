using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.UserTasks;
using Skein.Engine.Runs;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.EventLog;
using Skein.Store.Rows;
using Skein.Store.Sessions;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Storage;

/// <summary>
/// The projection rows are exactly what the row maps derive from a replay of the event log: sessions driven through
/// the engine (tool calls, approvals, waits, conversations, terminate, mark complete, failures) are replayed from
/// their stored events through the Core fold, and every row of sessions, start contexts, runs, steps, events and
/// user tasks must equal, column by column, what the table's row map reads from the replayed state; every column of
/// each table must be in its map.
/// </summary>
public class ReplayEqualsRowsTests : EngineTestBase
{
    [Fact]
    public async Task Every_sessions_rows_equal_what_its_replayed_events_map_to()
    {
        var ct = TestContext.Current.CancellationToken;
        var sessions = await DriveVariedSessionsAsync(ct);

        var reader = Host.Services.GetRequiredService<EventLogReader>();
        var dialect = Host.Services.GetRequiredService<IStoreDialect>();
        await using var db = await Host.Contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        var mismatches = new List<string>();
        foreach (var sessionId in sessions)
        {
            var events = await reader.ReadAfterAsync(sessionId, 0, ct);
            var state = SessionFold.Replay(events.Select(e => e.Event));
            var id = dialect.IdValue(sessionId);

            await CompareAsync(SessionRow.Map, [state], "id", "id");
            await CompareAsync(SessionRow.StartContextMap, [state], "session_id", "session_id");
            await CompareAsync(RunRow.Map, [.. state.Runs.Values.Select(r => new RunOf(state, r))], "session_id", "id");
            await CompareAsync(
                StepRow.Map,
                [
                    .. events
                        .Where(e => e.Event is StepAppended)
                        .Select(e => new StepOf(state, ((StepAppended)e.Event).Step, e.Sequence)),
                ],
                "session_id",
                "id"
            );
            await CompareAsync(
                SessionEventRow.Map,
                [.. events.Select(e => new EventOf(state, e.Sequence, e.Event))],
                "session_id",
                "sequence"
            );
            await CompareAsync(
                UserTaskRow.Map,
                [.. state.Tasks.Values.Select(t => new TaskOf(state, t))],
                "session_id",
                "id"
            );

            async Task CompareAsync<T>(RowMap<T> map, IReadOnlyList<T> expected, string sessionColumn, string key)
            {
                var stored = await RowsAsync(connection, map.Table, sessionColumn, id, ct);
                var derived = expected.Select(map.Read).ToList();
                if (stored.Count != derived.Count)
                {
                    mismatches.Add($"{map.Table} of {sessionId}: {stored.Count} rows, replay derives {derived.Count}");
                    return;
                }

                foreach (var row in derived)
                {
                    var keyValue = row.Single(c => c.Key == key).Value;
                    var match = stored.SingleOrDefault(s => Same(keyValue, s[key]));
                    if (match is null)
                    {
                        mismatches.Add($"{map.Table} of {sessionId}: no row with {key} = {keyValue}");
                        continue;
                    }

                    var unmapped = match.Keys.Where(c => c != "global_sequence" && row.All(r => r.Key != c));
                    mismatches.AddRange(unmapped.Select(c => $"{map.Table}.{c} is a column no row map writes"));
                    foreach (var (column, value) in row)
                    {
                        if (!match.TryGetValue(column, out var actual))
                        {
                            mismatches.Add($"{map.Table}.{column} is mapped but not a column of the table");
                        }
                        else if (!Same(value, actual))
                        {
                            mismatches.Add(
                                $"{map.Table}.{column} of {map.Key.Name} {keyValue}: stored '{actual}', replay "
                                    + $"derives '{value}'"
                            );
                        }
                    }
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Distinct()));
    }

    /// <summary>Sessions in every shape the engine produces; returns their ids once each is settled.</summary>
    private async Task<IReadOnlyList<Guid>> DriveVariedSessionsAsync(CancellationToken ct)
    {
        var ids = new List<Guid>();

        // A tool call and tokens, to completion.
        var echo = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script = [Calls((EchoTool.ToolName, new { city = "Lisbon" })), Says("sunny", tokens: 7)],
            }
        );
        ids.Add((await Host.RunToEndAsync(echo.AgentId, new { question = "weather?" })).Session.Id);

        // A failing model call.
        var failing = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Error = "provider unavailable" }] }
        );
        ids.Add((await Host.RunToEndAsync(failing.AgentId)).Session.Id);

        // Approvals: one approved (the call runs, the run completes), one terminated while pending (task cancelled),
        // one marked complete while pending.
        var refund = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [DemoRefundTool.ToolName],
                Script = [Calls((DemoRefundTool.ToolName, new { amount = 25 })), Says("refunded")],
            }
        );
        var approved = await WaitingForApprovalAsync(refund.AgentId, ct);
        Assert.True(
            (
                await Host.Actions.AnswerTaskAsync(
                    approved.TaskId,
                    null,
                    new UserTaskAnswer { Approved = true, Comment = "fine" },
                    "operator:ann",
                    ct
                )
            ).Ok
        );
        await Host.WaitForStatusAsync(approved.SessionId, "Completed");
        ids.Add(approved.SessionId);
        var terminated = await WaitingForApprovalAsync(refund.AgentId, ct);
        Assert.True((await Host.Actions.TerminateAsync(terminated.SessionId, "operator:bob", ct)).Ok);
        ids.Add(terminated.SessionId);
        var marked = await WaitingForApprovalAsync(refund.AgentId, ct);
        Assert.True((await Host.Actions.MarkCompleteAsync(marked.SessionId, "operator:ann", ct)).Ok);
        ids.Add(marked.SessionId);

        // A timer wait, skipped.
        var waiting = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Script = [Calls((PhronyWaitTool.ToolName, new { seconds = 120 })), Says("woke")],
            }
        );
        var wait = await Host.StartRunAsync(waiting.AgentId);
        await Host.WaitForStatusAsync(wait.SessionId, "WaitingForTimer");
        Assert.True((await Host.Actions.SkipWaitAsync(wait.RunId, "operator:ann", ct)).Ok);
        await Host.WaitForStatusAsync(wait.SessionId, "Completed");
        ids.Add(wait.SessionId);

        // A conversation: a follow-up message, then left waiting for the user (its idle deadline set); another
        // marked complete.
        var chat = await Host.CreateAgentAsync(
            new AgentSpec { Conversation = ConversationMode.MultiTurn, Script = [Says("first"), Says("second")] }
        );
        var open = await Host.StartRunAsync(chat.AgentId, new { hello = "there" });
        await Host.WaitForStatusAsync(open.SessionId, "WaitingForResponse");
        Assert.True((await Host.Actions.SendMessageAsync(open.RunId, "more", "user", ct)).Ok);
        await Eventually.Get(
            async () => (await Host.Queries.GetAsync(open.SessionId, ct))!,
            d => d.Session.Status == "WaitingForResponse" && d.Steps.Count(s => s.Type == "output") == 2,
            what: "the second answer"
        );
        ids.Add(open.SessionId);
        var closed = await Host.StartRunAsync(chat.AgentId);
        await Host.WaitForStatusAsync(closed.SessionId, "WaitingForResponse");
        Assert.True((await Host.Actions.MarkCompleteAsync(closed.SessionId, "operator:ann", ct)).Ok);
        ids.Add(closed.SessionId);

        // Terminated during a model call.
        var slow = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Text = "too late", DelayMs = 60_000 }] }
        );
        var cut = await Host.StartRunAsync(slow.AgentId);
        await Eventually.Get(
            async () => (await Host.Queries.GetAsync(cut.SessionId, ct))!,
            d => d.Steps.Count == 1,
            what: "the model call to start"
        );
        Assert.True((await Host.Actions.TerminateAsync(cut.SessionId, "operator:bob", ct)).Ok);
        ids.Add(cut.SessionId);

        // Every driver stopped: nothing is appended while the rows are compared.
        var dispatcher = Host.Services.GetRequiredService<RunDispatcher>();
        await Eventually.Get(() => Task.FromResult(dispatcher.ActiveCount), n => n == 0, what: "the drivers to stop");
        return ids;
    }

    private async Task<(Guid SessionId, Guid TaskId)> WaitingForApprovalAsync(Guid agentId, CancellationToken ct)
    {
        var started = await Host.StartRunAsync(agentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");
        var task = Assert.Single(
            await Host.Services.GetRequiredService<UserTaskQueries>().ForSessionAsync(started.SessionId, ct)
        );
        return (started.SessionId, task.Id);
    }

    private static async Task<List<Dictionary<string, object?>>> RowsAsync(
        DbConnection connection,
        string table,
        string sessionColumn,
        object sessionId,
        CancellationToken ct
    )
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table} WHERE {sessionColumn} = @session";
        var p = command.CreateParameter();
        p.ParameterName = "@session";
        p.Value = sessionId;
        command.Parameters.Add(p);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(
                Enumerable
                    .Range(0, reader.FieldCount)
                    .ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i))
            );
        }

        return rows;
    }

    /// <summary>
    /// A derived value against a stored one, as the store keeps that type: SQLite keeps ids and instants as text,
    /// PostgreSQL keeps instants to the microsecond.
    /// </summary>
    private static bool Same(object? derived, object? stored) =>
        (derived, stored) switch
        {
            (null, null) => true,
            (null, _) or (_, null) => false,
            (Guid id, Guid s) => id == s,
            (Guid id, string s) => Guid.TryParse(s, out var g) && g == id,
            (DateTimeOffset at, DateTime s) => Microseconds(at.UtcDateTime) == Microseconds(s),
            (DateTimeOffset at, string s) => Microseconds(at.UtcDateTime) == Microseconds(Instant(s)),
            (int or long, _) => Convert.ToInt64(derived, CultureInfo.InvariantCulture)
                == Convert.ToInt64(stored, CultureInfo.InvariantCulture),
            (string d, string s) => d == s,
            (decimal d, string s) => decimal.Parse(s, CultureInfo.InvariantCulture) == d,
            (decimal d, _) => Convert.ToDecimal(stored, CultureInfo.InvariantCulture) == d,
            _ => Equals(derived, stored),
        };

    private static DateTime Instant(string stored) =>
        DateTime.Parse(
            stored,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal
        );

    private static long Microseconds(DateTime at) => at.Ticks / 10;
}

public sealed class ReplayEqualsRowsTestsOnPostgres : ReplayEqualsRowsTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
