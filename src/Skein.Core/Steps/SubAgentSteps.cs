using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Core.Steps;

/// <summary>
/// The parent's record of a dispatch (SPEC section 9). Committed before the child starts: the child's run id is
/// fixed here, so recovery starts exactly this child, once. <see cref="ToolCallId"/> ties it to the model's call.
/// </summary>
public sealed record SubAgentCallStep(
    Guid ChildRunId,
    Guid AgentId,
    string AgentName,
    JsonElement Input,
    Guid GroupId,
    string ToolCallId
) : StepPayload;

/// <summary>A child's outcome, recorded on the parent when the child finished: the parent model's tool
/// result.</summary>
public sealed record SubAgentResultStep(
    Guid ChildRunId,
    string Status,
    JsonElement? Output,
    string? Error,
    long TokensUsed,
    long DurationMs,
    string ToolCallId
) : StepPayload;

/// <summary>A child asks its parent (<c>ask_parent</c>); the child waits in WaitingForAITL until answered.</summary>
public sealed record AitlRequestStep(Guid RequestId, string Question, JsonElement? Context, string ToolCallId)
    : StepPayload
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? ParentRunId { get; init; }
}

/// <summary>The parent's side of a child's question: what its next model turn must resolve.</summary>
public sealed record AitlReceivedStep(Guid RequestId, Guid ChildRunId, string Question, JsonElement? Context)
    : StepPayload;

/// <summary>The child's answer (the result of its <c>ask_parent</c> call).</summary>
public sealed record AitlResponseStep(Guid RequestId, string Answer, string AnsweredBy, string ToolCallId)
    : StepPayload;

/// <summary>The parent's record that a question was answered, by its model or (escalated) by a person.</summary>
public sealed record AitlResolvedStep(Guid RequestId, Guid ChildRunId, string Answer, bool Escalated) : StepPayload
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? UserTaskId { get; init; }
}
