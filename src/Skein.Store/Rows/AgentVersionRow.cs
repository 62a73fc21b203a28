namespace Skein.Store.Rows;

/// <summary>An agent version snapshot. JSON-valued settings are stored as text so both stores share one
/// schema.</summary>
public sealed class AgentVersionRow
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid TenantId { get; set; }
    public required string Label { get; set; }
    public string Description { get; set; } = "";
    public required string State { get; set; }
    public required string Model { get; set; }
    public string Instructions { get; set; } = "";
    public double Temperature { get; set; } = 0.7;
    public double? TopP { get; set; }
    public int? TopK { get; set; }
    public string? InputSchema { get; set; }
    public string? OutputSchema { get; set; }

    /// <summary>JSON array of operation names the model may call (the allowlist).</summary>
    public string Operations { get; set; } = "[]";

    /// <summary>JSON of <see cref="Core.Limits.RunLimits"/>.</summary>
    public string Limits { get; set; } = "{}";

    public string Conversation { get; set; } = "single";
    public int ConversationIdleTimeoutSec { get; set; } = 1800;

    /// <summary><c>enqueue</c>, <c>interrupt</c> or <c>reject</c>: what a message to a run at work does.</summary>
    public string MidRunMessages { get; set; } = Core.Agents.MidRunMessagesWire.Enqueue;

    /// <summary>JSON array of guard rules (SPEC section 5), validated when saved.</summary>
    public string GuardRules { get; set; } = "[]";

    /// <summary>JSON array of scripted-model turns (Skein extension).</summary>
    public string Script { get; set; } = "[]";

    /// <summary>Multi-agent master switch (SPEC section 9); off means <see cref="AllowedSubAgents"/> is
    /// empty.</summary>
    public bool CanExecuteSubAgents { get; set; }

    /// <summary>JSON array of the agent ids (SubAgent mode) this version may dispatch, at most five.</summary>
    public string AllowedSubAgents { get; set; } = "[]";

    /// <summary><c>Sequential</c> (default) or <c>Parallel</c>.</summary>
    public string SubAgentExecutionModel { get; set; } = "Sequential";

    public DateTime CreatedAt { get; set; }
    public DateTime? DeployedAt { get; set; }
}
