namespace Skein.Core.Limits;

/// <summary>Per-version limits (SPEC section 3). Session-level ones are optional.</summary>
public sealed record RunLimits
{
    public int MaxIterations { get; init; } = 10;
    public long MaxTokensPerRun { get; init; } = 200_000;
    public int MaxToolCalls { get; init; } = 25;
    public long? MaxSessionTokens { get; init; }
    public int? MaxSessionDurationSec { get; init; }
}

/// <summary>Workspace plan limits: active time excludes completed waits; the wait budget caps phrony_wait.</summary>
public sealed record PlanLimits
{
    public TimeSpan MaxActiveSessionTime { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan AgentWaitBudget { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The plan's cap on tool calls per run; null for none. The stricter of it and the version's
    /// maxToolCalls applies.</summary>
    public int? MaxToolCallsPerRun { get; init; }

    /// <summary>The deepest run a tree may hold (root = 0); a dispatch beyond it fails (SPEC section 9).</summary>
    public int MaxDepth { get; init; } = Agents.SubAgentRules.DefaultMaxDepth;
}
