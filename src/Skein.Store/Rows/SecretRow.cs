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
}
