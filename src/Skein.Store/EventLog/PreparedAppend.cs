using System.Text.Json;
using Skein.Core;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.UserTasks;

namespace Skein.Store.EventLog;

/// <summary>
/// One session's decided change, serialized on the caller's thread so the single writer loop only binds
/// and executes. Sequences continue the stream from the version the decision was made on.
/// </summary>
internal sealed class PreparedAppend
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PreparedAppend(SessionChange change)
    {
        var after = change.Current;
        ExpectedVersion = change.Before?.Version ?? 0;
        Session = after;
        IsNewSession = change.Before is null;

        var events = new List<EventToWrite>(change.Events.Count);
        var steps = new List<StepToWrite>();
        var newRuns = new HashSet<Guid>();
        var newTasks = new List<Guid>();
        var changedTasks = new HashSet<Guid>();
        var touched = new HashSet<Guid>();
        var sequence = ExpectedVersion;
        foreach (var e in change.Events)
        {
            sequence++;
            events.Add(new EventToWrite(sequence, e.RunIdOrNull, e.TypeName, JsonSerializer.Serialize(e, SkeinJson.Options), e.Actor, e.At.UtcDateTime));
            if (e.RunIdOrNull is { } runId)
            {
                touched.Add(runId);
            }

            switch (e)
            {
                case RunStarted r:
                    newRuns.Add(r.RunId);
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
                case StepAppended s:
                    var run = after.Runs[s.Step.RunId];
                    steps.Add(new StepToWrite(s.Step, sequence, StepContent.ToJson(s.Step, after, run)));
                    break;
            }
        }

        Events = events;
        Steps = steps;
        NewRuns = [.. newRuns.Select(id => new RunToWrite(after.Runs[id], null))];
        ChangedRuns = [.. touched.Where(id => !newRuns.Contains(id)).Select(id => new RunToWrite(after.Runs[id], change.Before?.Runs.GetValueOrDefault(id)))];
        SessionOutput = Json(after.Output);
        SessionProgressOnly = change.Before is { } before
            && before.Status == after.Status && before.Error == after.Error && before.FinishedAt == after.FinishedAt
            && before.EntryRunId == after.EntryRunId && before.RunCount == after.RunCount && Json(before.Output) == SessionOutput;
        if (IsNewSession)
        {
            SessionInput = Json(after.Input);
            StartContext = JsonSerializer.Serialize(after.StartContext, SkeinJson.Options);
        }

        NewTasks = [.. newTasks.Select(id => after.Tasks[id])];
        ChangedTasks = [.. changedTasks.Where(id => !newTasks.Contains(id)).Select(id => after.Tasks[id])];
    }

    public long ExpectedVersion { get; }
    public SessionState Session { get; }
    public bool IsNewSession { get; }
    public IReadOnlyList<EventToWrite> Events { get; }
    public IReadOnlyList<StepToWrite> Steps { get; }
    public IReadOnlyList<RunToWrite> NewRuns { get; }
    public IReadOnlyList<RunToWrite> ChangedRuns { get; }
    public IReadOnlyList<UserTaskState> NewTasks { get; }
    public IReadOnlyList<UserTaskState> ChangedTasks { get; }

    /// <summary>
    /// True when the session row changes only in tokens and version, as after most steps: the update then
    /// binds two values instead of all, and leaves the indexed status alone so its indexes are not rewritten.
    /// </summary>
    public bool SessionProgressOnly { get; }

    /// <summary>The session row's JSON columns; input and start context only for a new session.</summary>
    public string? SessionOutput { get; }
    public string? SessionInput { get; }
    public string? StartContext { get; }
    public Task Completion => _done.Task;

    public void Succeed() => _done.TrySetResult();

    public void Fail(Exception exception) => _done.TrySetException(exception);

    internal sealed record EventToWrite(long Sequence, Guid? RunId, string Type, string Data, string Actor, DateTime OccurredAt);

    internal sealed record StepToWrite(StepRecord Step, long EventSequence, string Content);

    internal sealed record RunToWrite(RunState Run, RunState? Before)
    {
        public string? Output { get; } = Json(Run.Output);
        public string? Input { get; } = Json(Run.Input);

        /// <summary>True when the run row changes only in tokens and step count (see <see cref="SessionProgressOnly"/>).</summary>
        public bool ProgressOnly { get; } = Before is not null
            && Before.Status == Run.Status && Before.Error == Run.Error && Before.FinishedAt == Run.FinishedAt && Before.WakeAt == Run.WakeAt
            && Before.CompletedBy == Run.CompletedBy && Before.CompletionNote == Run.CompletionNote && Json(Before.Output) == Json(Run.Output);
    }

    private static string? Json(JsonElement? value) => value?.GetRawText();
}
