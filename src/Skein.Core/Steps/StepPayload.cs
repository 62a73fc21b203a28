using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Core.Steps;

/// <summary>The typed content of one timeline step. Serialized as the step's <c>content</c> JSON.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step_kind")]
[JsonDerivedType(typeof(LlmRequestPrepared), StepType.LlmRequestPrepared)]
[JsonDerivedType(typeof(ReasoningStep), StepType.Reasoning)]
[JsonDerivedType(typeof(ToolCallStep), StepType.ToolCall)]
[JsonDerivedType(typeof(ToolResultStep), StepType.ToolResult)]
[JsonDerivedType(typeof(OutputStep), StepType.Output)]
[JsonDerivedType(typeof(UserMessageStep), StepType.UserMessage)]
[JsonDerivedType(typeof(ProviderBackoffStep), StepType.ProviderBackoff)]
[JsonDerivedType(typeof(ModelCallDiscardedStep), StepType.ModelCallDiscarded)]
[JsonDerivedType(typeof(UserTaskRequestStep), StepType.UserTaskReq)]
[JsonDerivedType(typeof(SubAgentCallStep), StepType.SubAgentCall)]
[JsonDerivedType(typeof(SubAgentResultStep), StepType.SubAgentResult)]
[JsonDerivedType(typeof(AitlRequestStep), StepType.AitlRequest)]
[JsonDerivedType(typeof(AitlReceivedStep), StepType.AitlReceived)]
[JsonDerivedType(typeof(AitlResponseStep), StepType.AitlResponse)]
[JsonDerivedType(typeof(AitlResolvedStep), StepType.AitlResolved)]
public abstract record StepPayload
{
    /// <summary>The wire step type; the same string is the JSON discriminator <c>step_kind</c>.</summary>
    [JsonIgnore]
    public string Type =>
        this switch
        {
            LlmRequestPrepared => StepType.LlmRequestPrepared,
            ReasoningStep => StepType.Reasoning,
            ToolCallStep => StepType.ToolCall,
            ToolResultStep => StepType.ToolResult,
            OutputStep => StepType.Output,
            UserMessageStep => StepType.UserMessage,
            ProviderBackoffStep => StepType.ProviderBackoff,
            ModelCallDiscardedStep => StepType.ModelCallDiscarded,
            UserTaskRequestStep => StepType.UserTaskReq,
            SubAgentCallStep => StepType.SubAgentCall,
            SubAgentResultStep => StepType.SubAgentResult,
            AitlRequestStep => StepType.AitlRequest,
            AitlReceivedStep => StepType.AitlReceived,
            AitlResponseStep => StepType.AitlResponse,
            AitlResolvedStep => StepType.AitlResolved,
            _ => throw new InvalidOperationException($"unmapped step payload {GetType().Name}"),
        };

    public int Iteration { get; init; }
}

public sealed record LlmRequestPrepared(string Model) : StepPayload;

/// <summary>The model's turn: its text and the tool calls it asked for (executed as later steps).</summary>
public sealed record ReasoningStep(
    string Message,
    string Preview,
    long TokensUsed,
    IReadOnlyList<RequestedToolCall> ToolCalls
) : StepPayload
{
    /// <summary>Input (prompt) tokens the provider reported; absent when it reported none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? InputTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? OutputTokens { get; init; }

    /// <summary>The part of <see cref="InputTokens"/> served from the provider's prompt cache, when reported.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? CachedInputTokens { get; init; }

    /// <summary>The provider reported no usage: the step's token count is unknown, not 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool UsageMissing { get; init; }

    /// <summary>The call's cost from the provider's prices; absent when the model has no price or usage is
    /// missing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? CostUsd { get; init; }

    /// <summary>This step with the usage of its model call and that call's cost.</summary>
    public ReasoningStep WithUsage(Usage.StepUsage usage, decimal? costUsd) =>
        this with
        {
            InputTokens = usage.InputTokens,
            OutputTokens = usage.OutputTokens,
            CachedInputTokens = usage.CachedInputTokens,
            UsageMissing = usage.Missing,
            CostUsd = costUsd,
        };
}

/// <summary>
/// A model call of the turn a message interrupted (<c>midRunMessages: interrupt</c>): <see cref="Answer"/> is what
/// the call gave, its usage and cost included, and the run's totals count it like a <c>reasoning</c> step's. It plans
/// nothing and the model never sees it: its tool calls do not run and its text is not in the history.
/// </summary>
public sealed record ModelCallDiscardedStep(string Reason, ReasoningStep Answer) : StepPayload
{
    /// <summary>The call was cancelled before its answer was complete: <see cref="Answer"/> holds the text streamed
    /// until then, and nothing is known of what it used.</summary>
    public const string Cancelled = "interrupted by a message: the model call was cancelled before its answer ended";

    /// <summary>The answer came after the message had started a new turn.</summary>
    public const string Superseded = "interrupted by a message: the answer came after the new turn started";

    /// <summary>The cost the run's totals count for <paramref name="payload"/>: a model call's, answered or
    /// discarded.</summary>
    public static decimal CostOf(StepPayload payload) =>
        payload switch
        {
            ReasoningStep { CostUsd: { } cost } => cost,
            ModelCallDiscardedStep { Answer.CostUsd: { } cost } => cost,
            _ => 0m,
        };
}

public sealed record RequestedToolCall(string ToolCallId, string Name, JsonElement Arguments)
{
    /// <summary>Why the model's arguments could not be read (e.g. truncated JSON); such a call never runs, the model
    /// gets this as a tool error instead.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArgumentsError { get; init; }
}

/// <summary>Recorded, and committed, immediately before the tool executes.</summary>
public sealed record ToolCallStep(
    string Name,
    JsonElement Arguments,
    string ToolCallId,
    string OperationName,
    string IdempotencyKey
) : StepPayload
{
    /// <summary>The guard rules evaluated for this attempt: every matching rule and the applied outcome.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guards.GuardDecision? Guard { get; init; }
}

public sealed record ToolResultStep(string ToolCallId, ToolResultBody Result) : StepPayload;

public sealed record ToolResultBody(JsonElement? Data, string? Error, bool Successful)
{
    /// <summary>The <see cref="Outcome"/> of a call whose result is unknown: it may have run.</summary>
    public const string MayHaveRun = "may_have_run";

    /// <summary>
    /// Null for a call whose outcome is known (see <see cref="Successful"/>); <see cref="MayHaveRun"/> when a crash
    /// cut the call off after it was sent, so it is not <c>successful</c> but not known to have failed either.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Outcome { get; init; }

    public static ToolResultBody Ok(JsonElement data) => new(data, null, true);

    public static ToolResultBody Fail(string error) => new(null, error, false);

    /// <summary>A non-idempotent call interrupted by a crash after it was sent: its effect is unknown.</summary>
    public static ToolResultBody Interrupted(string error) => new(null, error, false) { Outcome = MayHaveRun };
}

/// <summary>
/// The run's final output. <see cref="TokensUsed"/> and <see cref="CostUsd"/> repeat those of the model call that
/// produced it (its <c>reasoning</c> step holds them, and only that step counts toward the totals);
/// <see cref="TotalTokensUsed"/> and <see cref="TotalCostUsd"/> are the run's totals at the output.
/// </summary>
public sealed record OutputStep(JsonElement Output, long TokensUsed, long TotalTokensUsed) : StepPayload
{
    /// <summary>The producing call's cost; absent when its model has no price or its usage is missing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? CostUsd { get; init; }

    /// <summary>The run's cost so far; absent when no model call of the run has a known cost.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? TotalCostUsd { get; init; }

    /// <summary>The producing call reported no usage: <see cref="TokensUsed"/> is unknown, not 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool UsageMissing { get; init; }

    /// <summary>The output of a model turn: that turn's usage and cost, and the run's totals after it.</summary>
    public static OutputStep Of(JsonElement output, ReasoningStep producer, Runs.RunState run) =>
        new(output, producer.TokensUsed, run.TotalTokensUsed)
        {
            Iteration = producer.Iteration,
            CostUsd = producer.CostUsd,
            TotalCostUsd = producer.CostUsd is not null || run.TotalCostUsd != 0 ? run.TotalCostUsd : null,
            UsageMissing = producer.UsageMissing,
        };
}

public sealed record UserMessageStep(string Text) : StepPayload
{
    /// <summary>
    /// Sent while the run was working (<c>midRunMessages</c>): it waits in the timeline for the run's next model
    /// turn instead of starting one, so tool calls in flight finish first (SPEC section 12).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Queued { get; init; }
}

/// <summary>
/// The provider failed with a transient error (429, 5xx) after the in-process retries: the run waits until
/// <see cref="NextAttemptAt"/>. <see cref="FailingSince"/> is the first failure of this streak, which the retry
/// budget counts from.
/// </summary>
public sealed record ProviderBackoffStep(
    string Reason,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset FailingSince,
    int Attempt
) : StepPayload;

/// <summary>A run asks a person: the task it now waits on.</summary>
public sealed record UserTaskRequestStep(
    Guid UserTaskId,
    string Kind,
    string Summary,
    JsonElement Context,
    string? ToolCallId
) : StepPayload;
