namespace Skein.Core.Limits;

/// <summary>Stable error codes a run fails with; the run's error text starts with the code.</summary>
public static class LimitCodes
{
    public const string MaxIterations = "max_iterations_exceeded";
    public const string MaxTokensPerRun = "max_tokens_per_run_exceeded";
    public const string MaxToolCalls = "max_tool_calls_exceeded";
    public const string MaxSessionTokens = "max_session_tokens_exceeded";
    public const string SessionDuration = "session_duration_exceeded";
    public const string ActiveSessionTime = "max_active_session_time_exceeded";
    public const string WaitBudget = "agent_wait_budget_exceeded";
}
