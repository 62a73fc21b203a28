namespace Skein.Store.Rows;

/// <summary>Projection of one run; <see cref="WakeAt"/> is the persisted timer of a waiting run.</summary>
public sealed class RunRow
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Guid AgentVersionId { get; set; }
    public Guid? ParentRunId { get; set; }
    public int Depth { get; set; }
    public required string Status { get; set; }
    public long TotalTokensUsed { get; set; }
    public string? Output { get; set; }
    public string? Error { get; set; }
    public string? Input { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public required string AgentName { get; set; }
    public required string VersionLabel { get; set; }
    public required string LlmModel { get; set; }
    public DateTime? WakeAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? CompletionNote { get; set; }
}
