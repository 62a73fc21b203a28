namespace Skein.Store.Rows;

/// <summary>A file-library object: presigned, then uploaded (bytes on disk), then finalized.</summary>
public sealed class LibraryFileRow
{
    public required string ObjectKey { get; set; }
    public Guid TenantId { get; set; }
    public Guid ApiKeyId { get; set; }

    /// <summary>Last segment of the object key: what run input references as <c>filename</c>.</summary>
    public required string LeafName { get; set; }

    public required string Filename { get; set; }
    public required string MediaType { get; set; }
    public long MaxContentLength { get; set; }
    public long? SizeBytes { get; set; }
    public required string State { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinalizedAt { get; set; }
}
