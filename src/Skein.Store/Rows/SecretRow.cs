namespace Skein.Store.Rows;

/// <summary>A named secret of a workspace. <see cref="ProtectedValue"/> is Data Protection ciphertext, never the
/// value.</summary>
public sealed class SecretRow
{
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public required string ProtectedValue { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The owner's kind (<c>integration</c>, <c>llm_provider</c>, <c>trigger</c>); null while
    /// unbound.</summary>
    public string? OwnerKind { get; set; }

    /// <summary>The owner's id; null while unbound.</summary>
    public Guid? OwnerId { get; set; }
}
