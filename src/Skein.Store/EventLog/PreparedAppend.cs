using Skein.Core.Events;
using Skein.Core.Sessions;
using Skein.Store.Rows;

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
            events.Add(SessionEventRow.Map.InsertRow(new EventOf(after, sequence, e), values));
            stored.Add(new StoredEvent(sequence, StoredEvents.AsRead(e, dialect.InstantPrecision)));
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
                    steps.Add(StepRow.Map.InsertRow(new StepOf(after, s.Step, sequence), values));
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
        if (before is null)
        {
            rows.Add(SessionRow.Map.InsertRow(after, values));
            rows.Add(SessionRow.StartContextMap.InsertRow(after, values));
        }
        else if (SessionRow.Map.UpdateRow(before, after, values) is { } sessionUpdate)
        {
            // Null when the append changed nothing the session row shows (a step without tokens): its commit then
            // costs little more than its inserts.
            rows.Add(sessionUpdate);
        }

        foreach (var id in touched)
        {
            var run = new RunOf(after, after.Runs[id]);
            if (newRuns.Contains(id) || before?.Runs.GetValueOrDefault(id) is not { } was)
            {
                rows.Add(RunRow.Map.InsertRow(run, values));
            }
            else if (RunRow.Map.UpdateRow(new RunOf(before, was), run, values) is { } runUpdate)
            {
                rows.Add(runUpdate);
            }
        }

        foreach (var id in newTasks)
        {
            rows.Add(UserTaskRow.Map.InsertRow(new TaskOf(after, after.Tasks[id]), values));
        }

        foreach (var id in changedTasks.Where(id => !newTasks.Contains(id)))
        {
            if (
                UserTaskRow.Map.UpdateRow(
                    new TaskOf(before!, before!.Tasks[id]),
                    new TaskOf(after, after.Tasks[id]),
                    values
                ) is
                { } taskUpdate
            )
            {
                rows.Add(taskUpdate);
            }
        }

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
}
