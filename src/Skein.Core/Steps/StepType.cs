namespace Skein.Core.Steps;

/// <summary>Step types with their exact wire strings (SPEC section 1).</summary>
public static class StepType
{
    public const string LlmRequestPrepared = "llm_request_prepared";
    public const string Reasoning = "reasoning";
    public const string ToolCall = "ToolCall";
    public const string ToolResult = "ToolResult";
    public const string UserTaskReq = "UserTaskReq";
    public const string Output = "output";

    /// <summary>Skein extension: a conversational follow-up message from the user.</summary>
    public const string UserMessage = "user_message";

    /// <summary>The provider kept failing (429, 5xx): the run parks in WaitingForTimer until the next attempt
    /// (SPEC section 12).</summary>
    public const string ProviderBackoff = "provider_backoff";

    /// <summary>Skein extension: a model call whose answer the run did not use, because a message interrupted it
    /// (<c>midRunMessages: interrupt</c>). It keeps what the call spent, so the run's totals count it.</summary>
    public const string ModelCallDiscarded = "model_call_discarded";

    /// <summary>A parent dispatched a child run (SPEC section 9); the child's id is fixed by this step.</summary>
    public const string SubAgentCall = "SubAgentCall";

    /// <summary>A child run finished; its outcome is the parent's tool result.</summary>
    public const string SubAgentResult = "SubAgentResult";

    /// <summary>A child asked its parent (<c>ask_parent</c>); the child waits in WaitingForAITL.</summary>
    public const string AitlRequest = "AitlRequest";

    /// <summary>The parent received a child's question; it answers with <c>aitl_answer</c> or escalates.</summary>
    public const string AitlReceived = "AitlReceived";

    /// <summary>The child got its answer and continues.</summary>
    public const string AitlResponse = "AitlResponse";

    /// <summary>The parent's record that a child's question was answered (by its model or a person).</summary>
    public const string AitlResolved = "AitlResolved";
}
