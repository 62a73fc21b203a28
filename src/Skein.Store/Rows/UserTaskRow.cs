namespace Skein.Store.Rows;

/// <summary>Projection of a user task, for the approvals list, answering by id, and timeouts.</summary>
public sealed class UserTaskRow
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid RunId { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public required string Summary { get; set; }
    public required string Context { get; set; }
    public string? ToolCallId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? TimeoutAt { get; set; }

    /// <summary>JSON of the outcome: decision or value, who, when.</summary>
    public string? Outcome { get; set; }

    public string? AnsweredBy { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public string? CancelReason { get; set; }
}
