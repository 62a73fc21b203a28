using Skein.Core.Agents;

namespace Skein.Core.Tools;

/// <summary>How a requested tool call may proceed, before any I/O happens.</summary>
public static class ToolPolicy
{
    public const string ApprovalNeedsHitl =
        "this operation requires approval, and approval needs a HITL agent; the call was not executed";

    public const string InterruptedNotRetried =
        "the tool call was interrupted by a restart before its result was recorded; the operation is not idempotent, "
        + "so it was not retried";

    public const string AskNeedsHitl = "asking a person needs a HITL agent; this agent runs in Request mode";

    public static string Rejected(string by, string? comment) =>
        $"the call was rejected by {by}{(string.IsNullOrWhiteSpace(comment) ? "" : ": " + comment)}; it was not "
        + $"executed";

    public static string BlockedByGuard(string ruleId, string reason) => $"blocked by guard rule '{ruleId}': {reason}";

    public static string TerminatedByGuard(string ruleId, string reason) =>
        $"terminated by guard rule '{ruleId}': {reason}";

    public static string UnknownTool(string name) =>
        $"unknown tool '{name}': it is not in this agent version's operations";

    /// <summary>Request mode has no human on the path: an approval-gated call is refused with a tool error.</summary>
    public static string? Refusal(ExecutionMode mode, bool requiresApproval) =>
        requiresApproval && mode == ExecutionMode.Request ? ApprovalNeedsHitl : null;
}
