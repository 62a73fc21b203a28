using Skein.Core.Runs;
using Skein.Core.Sessions;

namespace Skein.Core.Limits;

/// <summary>Pure limit checks. Each returns the error text a run fails with, or null when within limits.</summary>
public static class LimitRules
{
    /// <summary>Checked at every step boundary: session-wide token, duration and active-time limits.</summary>
    public static string? CheckSession(SessionState session, RunLimits limits, PlanLimits plan, DateTimeOffset now)
    {
        if (limits.MaxSessionTokens is { } maxTokens && session.TotalTokensUsed > maxTokens)
        {
            return $"{LimitCodes.MaxSessionTokens}: session used {session.TotalTokensUsed} tokens, over "
                + $"maxSessionTokens ({maxTokens})";
        }

        if (limits.MaxSessionDurationSec is { } maxSec && now - session.StartedAt > TimeSpan.FromSeconds(maxSec))
        {
            return $"{LimitCodes.SessionDuration}: session ran longer than maxSessionDurationSec ({maxSec} s)";
        }

        var active = session.ActiveTimeAt(now);
        if (active > plan.MaxActiveSessionTime)
        {
            return $"{LimitCodes.ActiveSessionTime}: session used {active.TotalSeconds:0} s of active time, over the "
                + $"plan's max active session time ({plan.MaxActiveSessionTime.TotalSeconds:0} s)";
        }

        return null;
    }

    /// <summary>Before a new model turn: the iteration about to start must be within maxIterations.</summary>
    public static string? CheckIteration(int nextIteration, RunLimits limits) =>
        nextIteration > limits.MaxIterations
            ? $"{LimitCodes.MaxIterations}: run reached maxIterations ({limits.MaxIterations}) without a final output"
            : null;

    /// <summary>After a model turn is recorded: the run's tokens must be within maxTokensPerRun.</summary>
    public static string? CheckRunTokens(RunState run, RunLimits limits) =>
        run.TotalTokensUsed > limits.MaxTokensPerRun
            ? $"{LimitCodes.MaxTokensPerRun}: run used {run.TotalTokensUsed} tokens, over maxTokensPerRun "
                + $"({limits.MaxTokensPerRun})"
            : null;

    /// <summary>Before a tool call starts: the call about to start must be within maxToolCalls.</summary>
    /// <summary>
    /// Before a tool call starts: the call about to start must be within the stricter of the version's maxToolCalls
    /// and the plan's cap on tool calls per run; the error names the limit that applied.
    /// </summary>
    public static string? CheckToolCall(RunState run, RunLimits limits, PlanLimits plan)
    {
        if (plan.MaxToolCallsPerRun is { } cap && cap < limits.MaxToolCalls && run.ToolCallCount + 1 > cap)
        {
            return $"{LimitCodes.MaxToolCalls}: run reached the plan's max tool calls per run ({cap})";
        }

        return run.ToolCallCount + 1 > limits.MaxToolCalls
            ? $"{LimitCodes.MaxToolCalls}: run reached maxToolCalls ({limits.MaxToolCalls})"
            : null;
    }

    /// <summary>A wait that would push completed waits past the budget is refused with a tool error.</summary>
    public static string? CheckWait(SessionState session, TimeSpan requested, PlanLimits plan)
    {
        var after = session.CompletedWait + requested;
        return after > plan.AgentWaitBudget
            ? $"{LimitCodes.WaitBudget}: a wait of {requested.TotalSeconds:0} s would exceed the agent wait budget of "
                + $"{plan.AgentWaitBudget.TotalSeconds:0} s ({session.CompletedWait.TotalSeconds:0} s already used)"
            : null;
    }
}
