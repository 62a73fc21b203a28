namespace Skein.Core.Agents;

/// <summary>
/// The wiring rules of multi-agent sessions (SPEC section 9), one pure function each: the version service, the
/// dashboard form and manifest apply all ask here. Problems are <c>field: problem</c> lines.
/// </summary>
public static class SubAgentRules
{
    /// <summary>A version may name at most this many sub-agents.</summary>
    public const int MaxAllowedSubAgents = 5;

    /// <summary>The workspace's default cap on a run tree's depth (root = 0).</summary>
    public const int DefaultMaxDepth = 5;

    public const int MinMaxDepth = 1;
    public const int MaxMaxDepth = 10;

    /// <summary>The error code of a start refused because the agent is a SubAgent (HTTP 400).</summary>
    public const string NotStartable = "subagent_not_startable";

    /// <summary>
    /// Checks a version's wiring: the allowlist is empty when the switch is off, holds distinct agents in SubAgent
    /// mode (<paramref name="modes"/> maps each listed id that exists to its mode), never the version's own agent,
    /// and at most <see cref="MaxAllowedSubAgents"/> of them.
    /// </summary>
    /// <remarks>Agents are named by <typeparamref name="TKey"/>: ids in the API, <c>manifestKey</c>s in
    /// manifests.</remarks>
    public static IReadOnlyList<string> CheckWiring<TKey>(
        TKey agentId,
        bool canExecuteSubAgents,
        IReadOnlyList<TKey> allowedSubAgents,
        IReadOnlyDictionary<TKey, (string Name, ExecutionMode Mode)> modes
    )
        where TKey : notnull
    {
        var problems = new List<string>();
        if (!canExecuteSubAgents && allowedSubAgents.Count > 0)
        {
            problems.Add("allowedSubAgents: must be empty when canExecuteSubAgents is off");
        }

        if (allowedSubAgents.Count > MaxAllowedSubAgents)
        {
            problems.Add($"allowedSubAgents: at most {MaxAllowedSubAgents} sub-agents");
        }

        if (allowedSubAgents.Distinct().Count() != allowedSubAgents.Count)
        {
            problems.Add("allowedSubAgents: an agent is listed twice");
        }

        foreach (var id in allowedSubAgents.Distinct())
        {
            if (EqualityComparer<TKey>.Default.Equals(id, agentId))
            {
                problems.Add("allowedSubAgents: an agent cannot call itself");
            }
            else if (!modes.TryGetValue(id, out var agent))
            {
                problems.Add($"allowedSubAgents: no agent {id}");
            }
            else if (agent.Mode != ExecutionMode.SubAgent)
            {
                problems.Add($"allowedSubAgents: agent '{agent.Name}' is {agent.Mode}, not SubAgent");
            }
        }

        return problems;
    }

    /// <summary>The parent's model sees a sub-agent's description as its tool description, so it is required.</summary>
    public static string? CheckDescription(ExecutionMode mode, string? description) =>
        mode == ExecutionMode.SubAgent && string.IsNullOrWhiteSpace(description)
            ? "description: required for a SubAgent agent (its parent's model sees it as the tool description)"
            : null;

    /// <summary>SubAgent agents are started by their parents only: not by /v1, triggers or a Test run.</summary>
    public static DomainError? CheckStartable(ExecutionMode mode, string agentName) =>
        mode == ExecutionMode.SubAgent
            ? new DomainError(
                NotStartable,
                $"agent '{agentName}' is a SubAgent: it is started by its parent agents, not directly"
            )
            : null;

    /// <summary>An agent some version lists as a sub-agent must stay a SubAgent while it is listed.</summary>
    public static DomainError? CheckModeChange(ExecutionMode from, ExecutionMode to, IReadOnlyList<string> listedBy) =>
        from == ExecutionMode.SubAgent && to != ExecutionMode.SubAgent && listedBy.Count > 0
            ? DomainError.Conflict(
                $"the agent is an allowed sub-agent of {string.Join(", ", listedBy)}: remove it there first"
            )
            : null;

    public static string? CheckMaxDepth(int maxDepth) =>
        maxDepth is < MinMaxDepth or > MaxMaxDepth
            ? $"max sub-agent depth: must be between {MinMaxDepth} and {MaxMaxDepth}"
            : null;
}
