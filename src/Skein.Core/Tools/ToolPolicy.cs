using Skein.Core.Agents;

namespace Skein.Core.Tools;

/// <summary>How a requested tool call may proceed, before any I/O happens.</summary>
public static class ToolPolicy
{
    public const string ApprovalNeedsHitl =
        "this operation requires approval, and approval needs a HITL agent; the call was not executed";

    /// <summary>
    /// A non-idempotent call cut off by a crash: it was sent, so it may have reached the server and acted. Its
    /// outcome is unknown (not "failed"), and repeating it could act twice.
    /// </summary>
    public const string InterruptedNotRetried =
        "the tool call may have run: it was interrupted by a restart after it was sent and before its result was "
        + "recorded, so the server may have acted on it; the operation is not idempotent, so it was not retried. "
        + "Check whether it took effect before calling it again";

    public const string AskNeedsHitl = "asking a person needs a HITL agent; this agent runs in Request mode";

    public static string Rejected(string by, string? comment) =>
        $"the call was rejected by {by}{(string.IsNullOrWhiteSpace(comment) ? "" : ": " + comment)}; it was not "
        + $"executed";

    /// <param name="failedClosed">Why the rule was applied without its condition proven (fail closed), or null.</param>
    public static string BlockedByGuard(string ruleId, string reason, string? failedClosed = null) =>
        $"blocked by guard rule '{ruleId}': {reason}{FailedClosedNote(failedClosed)}";

    public static string TerminatedByGuard(string ruleId, string reason, string? failedClosed = null) =>
        $"terminated by guard rule '{ruleId}': {reason}{FailedClosedNote(failedClosed)}";

    private static string FailedClosedNote(string? failedClosed) =>
        failedClosed is null ? "" : $" (its condition could not be evaluated: {failedClosed})";

    /// <summary>The model sent arguments that are not a JSON document (e.g. cut off): the call is not run.</summary>
    public static string MalformedArguments(string name, string problem) =>
        $"invalid_arguments: the arguments of '{name}' are not valid JSON ({problem}); the call was not executed. "
        + "Send the call again with complete JSON arguments";

    public static string UnknownTool(string name) =>
        $"unknown tool '{name}': it is not in this agent version's operations";

    /// <summary>Request mode has no human on the path: an approval-gated call is refused with a tool error.</summary>
    public static string? Refusal(ExecutionMode mode, bool requiresApproval) =>
        requiresApproval && mode == ExecutionMode.Request ? ApprovalNeedsHitl : null;
}
