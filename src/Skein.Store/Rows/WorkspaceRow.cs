namespace Skein.Store.Rows;

/// <summary>A workspace (<c>tenantId</c>) and its plan limits.</summary>
public sealed class WorkspaceRow
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
    public int MaxActiveSessionSeconds { get; set; } = 3600;
    public int AgentWaitBudgetSeconds { get; set; } = 300;
    public int RetentionDays { get; set; } = 30;

    /// <summary>The largest run input, message or webhook body accepted, in bytes, unless a trigger sets its own;
    /// null means <see cref="Skein.Core.Limits.InputLimits.DefaultMaxInputBytes"/>.</summary>
    public int? MaxInputBytes { get; set; }

    /// <summary>The deepest run a session's tree may hold (root = 0; SPEC section 9).</summary>
    public int MaxSubAgentDepth { get; set; } = 5;

    /// <summary>The plan's cap on tool calls per run; null for none (the version's maxToolCalls alone
    /// applies).</summary>
    public int? MaxToolCallsPerRun { get; set; }
}
