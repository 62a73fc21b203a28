using Skein.Core.Sessions;

namespace Skein.Core.Limits;

/// <summary>The bounds of a workspace's retention and plan limits; every problem is named as <c>field:
/// problem</c>.</summary>
public static class WorkspaceRules
{
    public const int MinActiveSessionSeconds = 60;
    public const int MaxActiveSessionSeconds = 7 * 86400;
    public const int MaxAgentWaitBudgetSeconds = 30 * 86400;
    public const int MaxToolCallsPerRunCap = 10_000;

    /// <summary>The plan's cap on tool calls per run: 0 (no cap) up to <see cref="MaxToolCallsPerRunCap"/>.</summary>
    public static string? CheckMaxToolCallsPerRun(int cap) =>
        cap is < 0 or > MaxToolCallsPerRunCap
            ? $"max tool calls per run: must be between 0 (no cap) and {MaxToolCallsPerRunCap}"
            : null;

    public static IReadOnlyList<string> Check(
        int retentionDays,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds
    )
    {
        var problems = new List<string>();
        if (!SessionRetention.IsValidDays(retentionDays))
        {
            problems.Add($"retention: must be between {SessionRetention.MinDays} and {SessionRetention.MaxDays} days");
        }

        if (maxActiveSessionSeconds is < MinActiveSessionSeconds or > MaxActiveSessionSeconds)
        {
            problems.Add("max active session time: must be between 60 seconds and 7 days");
        }

        if (agentWaitBudgetSeconds is < 0 or > MaxAgentWaitBudgetSeconds)
        {
            problems.Add("agent wait budget: must be between 0 and 30 days");
        }

        return problems;
    }
}
