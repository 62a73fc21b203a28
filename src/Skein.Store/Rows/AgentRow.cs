namespace Skein.Store.Rows;

public sealed class AgentRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public required string ExecutionMode { get; set; }
    public Guid LlmProviderId { get; set; }
    public DateTime CreatedAt { get; set; }
}
