namespace Skein.Store.Rows;

/// <summary>Projection of a session's event stream; written only with the events, in the same transaction.</summary>
public sealed class SessionRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Guid AgentVersionId { get; set; }
    public required string LlmModel { get; set; }
    public required string TriggerType { get; set; }
    public required string TriggeredBy { get; set; }
    public Guid? TriggerId { get; set; }
    public string? TriggerName { get; set; }
    public required string Status { get; set; }
    public long TotalTokensUsed { get; set; }
    public string? Output { get; set; }
    public string? Error { get; set; }
    public string? Input { get; set; }
    public required string StartContext { get; set; }
    public Guid RootRunId { get; set; }
    public Guid EntryRunId { get; set; }
    public int RunCount { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
