using Skein.Core.Steps;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>A tool call that failed: its <c>ToolResult</c> step carries the error (a refusal, a tool error, a call
/// cut off by a crash).</summary>
public static class FailedToolCall
{
    public static bool Is(StepRow step) => step.Type == StepType.ToolResult && step.Error is not null;

    /// <summary>The warning badge of a session with failed tool calls (refused and rejected calls included: the
    /// model got an error); empty when there are none. Not a <c>.badge</c>: that class is the status.</summary>
    public static string Badge(int count)
    {
        if (count <= 0)
        {
            return "";
        }

        var calls = count == 1 ? "call" : "calls";
        return $" <span class=\"warn-chip\" data-failed-tools=\"{count}\" title=\"{count} tool {calls} returned an "
            + $"error (failed, refused or rejected)\">⚠ {count} failed tool {calls}</span>";
    }
}
