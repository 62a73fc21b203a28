using System.Text.Json;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.UserTasks;

namespace Skein.Store.EventLog;

/// <summary>What a <c>runs</c> row is read from: a run and the session it belongs to.</summary>
public readonly record struct RunOf(SessionState Session, RunState Run);

/// <summary>What a <c>steps</c> row is read from: a step, its session, and the event sequence that recorded
/// it.</summary>
public readonly record struct StepOf(SessionState Session, StepRecord Step, long EventSequence)
{
    public RunState Run => Session.Runs[Step.RunId];
}

/// <summary>What a <c>session_events</c> row is read from: one event at its stream position.</summary>
public readonly record struct EventOf(SessionState Session, long Sequence, SessionEvent Event);

/// <summary>What a <c>user_tasks</c> row is read from: a task and its session.</summary>
public readonly record struct TaskOf(SessionState Session, UserTaskState Task);

/// <summary>How folded values become column values: JSON as its text.</summary>
internal static class ColumnValue
{
    public static string? Json(JsonElement? value) => value?.GetRawText();
}
