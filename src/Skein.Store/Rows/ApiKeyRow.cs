namespace Skein.Store.Rows;

/// <summary>
/// A workspace API key. Only a keyed hash of the secret is stored; <see cref="Prefix"/> is the first
/// characters of the secret, enough for an operator to recognise a key without revealing it.
/// </summary>
public sealed class ApiKeyRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    public bool AllowFileUploads { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>One (agent, trigger) pair an API key may act on.</summary>
public sealed class ApiKeyScopeRow
{
    public Guid Id { get; set; }
    public Guid ApiKeyId { get; set; }
    public Guid AgentId { get; set; }
    public Guid TriggerId { get; set; }
}
