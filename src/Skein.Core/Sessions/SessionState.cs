using System.Collections.Immutable;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Runs;

namespace Skein.Core.Sessions;

/// <summary>A session and its runs as folded from the event stream (<see cref="Events.SessionFold"/>).</summary>
public sealed record SessionState
{
    public required Guid Id { get; init; }
    public required Guid TenantId { get; init; }
    public required Guid AgentId { get; init; }
    public required Guid AgentVersionId { get; init; }
    public required string LlmModel { get; init; }
    public required TriggerType TriggerType { get; init; }
    public required string TriggeredBy { get; init; }
    public Guid? TriggerId { get; init; }
    public string? TriggerName { get; init; }
    public required SessionStatus Status { get; init; }
    public long TotalTokensUsed { get; init; }

    /// <summary>The sum of every run's <see cref="RunState.TotalCostUsd"/>: the whole tree.</summary>
    public decimal TotalCostUsd { get; init; }
    public JsonElement? Output { get; init; }
    public string? Error { get; init; }
    public JsonElement? Input { get; init; }
    public required StartContext StartContext { get; init; }
    public required Guid RootRunId { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public ForkOrigin? ForkedFrom { get; init; }
    public required Guid EntryRunId { get; init; }
    public int RunCount => Runs.Count;
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Sequence of the last event applied: the stream version used as the concurrency guard.</summary>
    public long Version { get; init; }

    /// <summary>Working time accumulated while Running, excluding the current stretch.</summary>
    public TimeSpan ActiveTime { get; init; }

    public DateTimeOffset? RunningSince { get; init; }

    /// <summary>phrony_wait time that completed; counts against the agent wait budget.</summary>
    public TimeSpan CompletedWait { get; init; }

    public ImmutableDictionary<Guid, RunState> Runs { get; init; } = ImmutableDictionary<Guid, RunState>.Empty;

    public ImmutableDictionary<Guid, UserTasks.UserTaskState> Tasks { get; init; } =
        ImmutableDictionary<Guid, UserTasks.UserTaskState>.Empty;

    public bool IsTerminal => SessionStatusMachine.IsTerminal(Status);

    public TimeSpan ActiveTimeAt(DateTimeOffset now) =>
        RunningSince is { } since && now > since ? ActiveTime + (now - since) : ActiveTime;

    public RunState RootRun => Runs[RootRunId];
}
