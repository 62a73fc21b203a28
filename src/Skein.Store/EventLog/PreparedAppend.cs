using System.Text.Json;
using Skein.Core;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Store.EventLog;

/// <summary>
/// One session's decided change as the rows to write, built on the caller's thread (JSON, ids, instants) so the
/// single writer loop only binds and executes. Sequences continue the stream from the version the decision was
/// made on; rows go in the order events, steps, session (and its start context), runs, user tasks.
/// </summary>
internal sealed class PreparedAppend
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PreparedAppend(SessionChange change, IStoreDialect dialect)
    {
        var before = change.Before;
        var after = change.Current;
        var values = new RowValues(dialect);
        ExpectedVersion = before?.Version ?? 0;
        Session = after;

        var events = new List<AppendRow>(change.Events.Count);
        var stored = new List<StoredEvent>(change.Events.Count);
        var steps = new List<AppendRow>();
        var newRuns = new HashSet<Guid>();
        var touched = new HashSet<Guid>();
        var newTasks = new List<Guid>();
        var changedTasks = new HashSet<Guid>();
        var sequence = ExpectedVersion;
        foreach (var e in change.Events)
        {
            sequence++;
            var data = JsonSerializer.Serialize(e, SkeinJson.Options);
            events.Add(
                AppendCommands.InsertEvent(values, after, sequence, e.RunIdOrNull, e.TypeName, data, e.Actor, e.At)
            );
            stored.Add(new StoredEvent(sequence, e));
            if (e.RunIdOrNull is { } runId)
            {
                touched.Add(runId);
            }

            switch (e)
            {
                case RunStarted r:
                    newRuns.Add(r.RunId);
                    break;
                case StepAppended s:
                    var content = StepContent.ToJson(s.Step, after, after.Runs[s.Step.RunId]);
                    steps.Add(AppendCommands.InsertStep(values, after, s.Step, sequence, content));
                    break;
                case UserTaskCreated t:
                    newTasks.Add(t.Task.Id);
                    break;
                case UserTaskAnswered a:
                    changedTasks.Add(a.TaskId);
                    break;
                case UserTaskCancelled c:
                    changedTasks.Add(c.TaskId);
                    break;
            }
        }

        var rows = new List<AppendRow>(events.Count + steps.Count + 1 + touched.Count);
        rows.AddRange(events);
        rows.AddRange(steps);
        if (SessionRow(values, before, after) is { } sessionRow)
        {
            rows.Add(sessionRow);
        }

        if (before is null)
        {
            rows.Add(
                AppendCommands.InsertStartContext(
                    values,
                    after,
                    JsonSerializer.Serialize(after.StartContext, SkeinJson.Options)
                )
            );
        }

        rows.AddRange(
            newRuns.Select(id =>
                AppendCommands.InsertRun(
                    values,
                    after,
                    after.Runs[id],
                    Json(after.Runs[id].Output),
                    Json(after.Runs[id].Input)
                )
            )
        );
        rows.AddRange(
            touched
                .Where(id => !newRuns.Contains(id))
                .Select(id => RunRow(values, before?.Runs.GetValueOrDefault(id), after.Runs[id]))
                .OfType<AppendRow>()
        );
        rows.AddRange(
            newTasks.Select(id => AppendCommands.InsertTask(values, after, after.Tasks[id], Outcome(after.Tasks[id])))
        );
        rows.AddRange(
            changedTasks
                .Where(id => !newTasks.Contains(id))
                .Select(id => AppendCommands.UpdateTask(values, after.Tasks[id], Outcome(after.Tasks[id])))
        );
        Rows = rows;
        Stored = stored;
        CountDeltas = SessionCountDeltas.Of(before, after);
    }

    public long ExpectedVersion { get; }

    /// <summary>The run lease the append commits under (a run driver's appends), or null (operators, users,
    /// timers).</summary>
    public Leases.RunLease? Fence { get; init; }

    public SessionState Session { get; }
    public IReadOnlyList<AppendRow> Rows { get; }

    /// <summary>The session counts this append moves; the writer merges them per batch.</summary>
    public IReadOnlyList<KeyValuePair<SessionCountKey, int>> CountDeltas { get; }

    /// <summary>The same events as readers get them back from the store, for the notifier once committed.</summary>
    public IReadOnlyList<StoredEvent> Stored { get; }
    public Task Completion => _done.Task;

    public void Succeed() => _done.TrySetResult();

    public void Fail(Exception exception) => _done.TrySetException(exception);

    /// <summary>
    /// The session row's write, or null when the append changed nothing it shows (a step without tokens). Skipping
    /// those rewrites is what keeps a step's commit close to the cost of its inserts: a session row is kilobytes
    /// (its frozen start context), so each rewrite dirties a whole page.
    /// </summary>
    private static AppendRow? SessionRow(RowValues values, SessionState? before, SessionState after)
    {
        var output = Json(after.Output);
        if (before is null)
        {
            return AppendCommands.InsertSession(values, after, output, Json(after.Input));
        }

        var progressOnly =
            before.Status == after.Status
            && before.Error == after.Error
            && before.FinishedAt == after.FinishedAt
            && before.EntryRunId == after.EntryRunId
            && before.RunCount == after.RunCount
            && Json(before.Output) == output;
        if (!progressOnly)
        {
            return AppendCommands.UpdateSession(values, after, output);
        }

        return before.TotalTokensUsed == after.TotalTokensUsed
            ? null
            : AppendCommands.UpdateSessionProgress(values, after);
    }

    /// <summary>As <see cref="SessionRow"/> for a run: null when only its (derived) step list grew.</summary>
    private static AppendRow? RunRow(RowValues values, RunState? before, RunState after)
    {
        var output = Json(after.Output);
        if (
            before is null
            || before.Status != after.Status
            || before.Error != after.Error
            || before.FinishedAt != after.FinishedAt
            || before.WakeAt != after.WakeAt
            || before.CompletedBy != after.CompletedBy
            || before.CompletionNote != after.CompletionNote
            || Json(before.Output) != output
        )
        {
            return AppendCommands.UpdateRun(values, after, output);
        }

        return before.TotalTokensUsed == after.TotalTokensUsed ? null : AppendCommands.UpdateRunProgress(values, after);
    }

    private static string? Json(JsonElement? value) => value?.GetRawText();

    private static string? Outcome(Core.UserTasks.UserTaskState task) =>
        task.Outcome is null ? null : JsonSerializer.Serialize(task.Outcome, SkeinJson.Options);
}
