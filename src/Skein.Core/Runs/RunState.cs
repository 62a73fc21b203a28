using System.Collections.Immutable;
using System.Text.Json;
using Skein.Core.Steps;

namespace Skein.Core.Runs;

/// <summary>A run as folded from its session's events. Immutable: every change is a new value.</summary>
public sealed record RunState
{
    public required Guid Id { get; init; }
    public required Guid SessionId { get; init; }
    public required Guid AgentId { get; init; }
    public required Guid AgentVersionId { get; init; }
    public Guid? ParentRunId { get; init; }
    public int Depth { get; init; }
    public required RunStatus Status { get; init; }
    public long TotalTokensUsed { get; init; }

    /// <summary>The sum of the run's model steps' <c>cost_usd</c> (SPEC section 12).</summary>
    public decimal TotalCostUsd { get; init; }
    public JsonElement? Output { get; init; }
    public string? Error { get; init; }
    public JsonElement? Input { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public required string AgentName { get; init; }
    public required string VersionLabel { get; init; }
    public required string LlmModel { get; init; }
    public DateTimeOffset? WakeAt { get; init; }
    public string? CompletedBy { get; init; }
    public string? CompletionNote { get; init; }
    public ImmutableList<StepRecord> Steps { get; init; } = [];

    /// <summary>A child run's own frozen version; null for the root run, which executes the session's start
    /// context.</summary>
    public Agents.VersionSnapshot? Version { get; init; }

    /// <summary>The model turn in progress: the iteration of the latest <c>llm_request_prepared</c>.</summary>
    public int Iteration { get; init; }

    public int ToolCallCount { get; init; }

    public bool IsTerminal => RunStatusMachine.IsTerminal(Status);
}
