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
}
