using System.Text.Json;

namespace Skein.Core.UserTasks;

/// <summary>Task kinds with their exact wire strings (SPEC section 1).</summary>
public static class UserTaskKinds
{
    public const string Approval = "approval";
    public const string MultiOption = "multi_option";
    public const string Text = "text";
    public const string Number = "number";
    public const string AnomalyReview = "anomaly_review";
    public const string AnomalyAlert = "anomaly_alert";
    public const string AitlEscalation = "aitl_escalation";

    public static readonly IReadOnlyList<string> All =
    [
        Approval,
        MultiOption,
        Text,
        Number,
        AnomalyReview,
        AnomalyAlert,
        AitlEscalation,
    ];

    /// <summary>Kinds answered with approve/reject: approvals and guard-rule reviews.</summary>
    public static bool IsDecision(string kind) => kind is Approval or AnomalyReview;
}

/// <summary>
/// A human step a run waits on. Tasks are never edited or deleted: a task is answered once or
/// cancelled once, and a stale answer is refused (HTTP 409).
/// </summary>
public sealed record UserTaskState
{
    public required Guid Id { get; init; }
    public required Guid RunId { get; init; }
    public required string Kind { get; init; }
    public required UserTaskStatus Status { get; init; }
    public required string Summary { get; init; }

    /// <summary>What the person needs to decide: tool name and arguments for approvals, options for
    /// multi_option.</summary>
    public required JsonElement Context { get; init; }

    /// <summary>The tool call this task gates or answers, when it came from one.</summary>
    public string? ToolCallId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When an unanswered task resolves by its default (approvals with a timeout).</summary>
    public DateTimeOffset? TimeoutAt { get; init; }

    public UserTaskOutcome? Outcome { get; init; }
    public string? CancelReason { get; init; }
}

/// <summary>The answer: what was decided, by whom, when.</summary>
public sealed record UserTaskOutcome
{
    public bool? Approved { get; init; }
    public string? SelectedOptionId { get; init; }
    public string? TextValue { get; init; }
    public double? NumberValue { get; init; }
    public JsonElement? Metadata { get; init; }
    public string? Comment { get; init; }
    public required string By { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>An answer as submitted, before validation against the task's kind.</summary>
public sealed record UserTaskAnswer
{
    public bool? Approved { get; init; }
    public string? SelectedOptionId { get; init; }
    public string? TextValue { get; init; }
    public double? NumberValue { get; init; }
    public JsonElement? Metadata { get; init; }
    public string? Comment { get; init; }
}
