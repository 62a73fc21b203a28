using System.Text.Json;
using Skein.Core;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

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
        var stored = new List<StoredEvent>(change.Events.Count);
        var steps = new List<StepToWrite>();
        var newRuns = new HashSet<Guid>();
        var touched = new HashSet<Guid>();
        var sequence = ExpectedVersion;
        foreach (var e in change.Events)
        {
            sequence++;
            events.Add(new EventToWrite(sequence, e.RunIdOrNull, e.TypeName, JsonSerializer.Serialize(e, SkeinJson.Options), e.Actor, e.At.UtcDateTime));
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
                    var run = after.Runs[s.Step.RunId];
                    steps.Add(new StepToWrite(s.Step, sequence, StepContent.ToJson(s.Step, after, run)));
                    break;
            }
        }

        Events = events;
        Stored = stored;
        Steps = steps;
        NewRuns = [.. newRuns.Select(id => after.Runs[id])];
        ChangedRuns = [.. touched.Where(id => !newRuns.Contains(id)).Select(id => after.Runs[id])];
    }

    public long ExpectedVersion { get; }
    public SessionState Session { get; }
    public bool IsNewSession { get; }
    public IReadOnlyList<EventToWrite> Events { get; }

    /// <summary>The same events as readers get them back from the store, for the notifier once committed.</summary>
    public IReadOnlyList<StoredEvent> Stored { get; }
    public IReadOnlyList<StepToWrite> Steps { get; }
    public IReadOnlyList<RunState> NewRuns { get; }
    public IReadOnlyList<RunState> ChangedRuns { get; }
    public Task Completion => _done.Task;

    public void Succeed() => _done.TrySetResult();

    public void Fail(Exception exception) => _done.TrySetException(exception);

    internal sealed record EventToWrite(long Sequence, Guid? RunId, string Type, string Data, string Actor, DateTime OccurredAt);

    internal sealed record StepToWrite(StepRecord Step, long EventSequence, string Content);
}
