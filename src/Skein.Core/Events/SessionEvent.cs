using System.Text.Json;
using System.Text.Json.Serialization;
using Skein.Core.Agents;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.UserTasks;

namespace Skein.Core.Events;

/// <summary>
/// Everything that happens to a session is one of these, appended to the session's stream with a
/// gap-free sequence. The type discriminators are the stable type names stored in the event log.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(SessionStarted), EventTypes.SessionStarted)]
[JsonDerivedType(typeof(RunStarted), EventTypes.RunStarted)]
[JsonDerivedType(typeof(StepAppended), EventTypes.StepAppended)]
[JsonDerivedType(typeof(RunStatusChanged), EventTypes.RunStatusChanged)]
[JsonDerivedType(typeof(SessionStatusChanged), EventTypes.SessionStatusChanged)]
[JsonDerivedType(typeof(UserTaskCreated), EventTypes.UserTaskCreated)]
[JsonDerivedType(typeof(UserTaskAnswered), EventTypes.UserTaskAnswered)]
[JsonDerivedType(typeof(UserTaskCancelled), EventTypes.UserTaskCancelled)]
public abstract record SessionEvent
{
    public required DateTimeOffset At { get; init; }

    /// <summary>Who caused it: <c>engine</c>, <c>operator:&lt;name&gt;</c>, <c>api-key:&lt;id&gt;</c>,
    /// <c>timer</c>.</summary>
    public required string Actor { get; init; }

    [JsonIgnore]
    public abstract string TypeName { get; }

    /// <summary>The run the event concerns, when it concerns one.</summary>
    [JsonIgnore]
    public virtual Guid? RunIdOrNull => null;
}

public static class EventTypes
{
    public const string SessionStarted = "session.started";
    public const string RunStarted = "run.started";
    public const string StepAppended = "step.appended";
    public const string RunStatusChanged = "run.status_changed";
    public const string SessionStatusChanged = "session.status_changed";
    public const string UserTaskCreated = "user_task.created";
    public const string UserTaskAnswered = "user_task.answered";
    public const string UserTaskCancelled = "user_task.cancelled";
}

public sealed record SessionStarted : SessionEvent
{
    public required Guid SessionId { get; init; }
    public required Guid TenantId { get; init; }
    public required TriggerType TriggerType { get; init; }
    public required string TriggeredBy { get; init; }
    public Guid? TriggerId { get; init; }
    public string? TriggerName { get; init; }
    public JsonElement? Input { get; init; }
    public required StartContext StartContext { get; init; }
    public required Guid RootRunId { get; init; }

    /// <summary>The start body's <c>tags</c> (<see cref="SessionTags"/>), if any.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Set on a fork: the session and step it copied its timeline from.</summary>
    public ForkOrigin? ForkedFrom { get; init; }

    public override string TypeName => EventTypes.SessionStarted;
}

public sealed record RunStarted : SessionEvent
{
    public required Guid RunId { get; init; }
    public Guid? ParentRunId { get; init; }
    public int Depth { get; init; }
    public required Guid AgentId { get; init; }
    public required Guid AgentVersionId { get; init; }
    public required string AgentName { get; init; }
    public required string VersionLabel { get; init; }
    public required string LlmModel { get; init; }
    public JsonElement? Input { get; init; }

    /// <summary>A child run's frozen version (its agent's Deployed one at dispatch); a root run executes the session's
    /// start context.</summary>
    public VersionSnapshot? Version { get; init; }

    public override string TypeName => EventTypes.RunStarted;
    public override Guid? RunIdOrNull => RunId;
}

public sealed record StepAppended : SessionEvent
{
    public required StepRecord Step { get; init; }

    public override string TypeName => EventTypes.StepAppended;
    public override Guid? RunIdOrNull => Step.RunId;
}

public sealed record RunStatusChanged : SessionEvent
{
    public required Guid RunId { get; init; }
    public required RunStatus From { get; init; }
    public required RunStatus To { get; init; }
    public string? Reason { get; init; }
    public JsonElement? Output { get; init; }
    public string? Error { get; init; }

    /// <summary>When a waiting run is due: the timer's wake-up, or the conversation's idle deadline.</summary>
    public DateTimeOffset? WakeAt { get; init; }

    /// <summary>Wait time that completed with this transition; counts against the agent wait budget.</summary>
    public TimeSpan? CompletedWait { get; init; }

    public string? CompletedBy { get; init; }
    public string? CompletionNote { get; init; }

    public override string TypeName => EventTypes.RunStatusChanged;
    public override Guid? RunIdOrNull => RunId;
}

public sealed record SessionStatusChanged : SessionEvent
{
    public required SessionStatus From { get; init; }
    public required SessionStatus To { get; init; }
    public string? Reason { get; init; }
    public JsonElement? Output { get; init; }
    public string? Error { get; init; }

    public override string TypeName => EventTypes.SessionStatusChanged;
}

public sealed record UserTaskCreated : SessionEvent
{
    public required UserTaskState Task { get; init; }

    public override string TypeName => EventTypes.UserTaskCreated;
    public override Guid? RunIdOrNull => Task.RunId;
}

public sealed record UserTaskAnswered : SessionEvent
{
    public required Guid TaskId { get; init; }
    public required Guid RunId { get; init; }
    public required UserTaskOutcome Outcome { get; init; }

    public override string TypeName => EventTypes.UserTaskAnswered;
    public override Guid? RunIdOrNull => RunId;
}

public sealed record UserTaskCancelled : SessionEvent
{
    public required Guid TaskId { get; init; }
    public required Guid RunId { get; init; }
    public required string Reason { get; init; }

    public override string TypeName => EventTypes.UserTaskCancelled;
    public override Guid? RunIdOrNull => RunId;
}
