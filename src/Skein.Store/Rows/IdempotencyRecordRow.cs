namespace Skein.Store.Rows;

/// <summary>The first answer to a start-run request with an <c>Idempotency-Key</c>, replayed to repeats.</summary>
public sealed class IdempotencyRecordRow
{
    public Guid ApiKeyId { get; set; }
    public required string Key { get; set; }

    /// <summary>Null while the first request is still being processed.</summary>
    public string? Response { get; set; }

    public int StatusCode { get; set; }
    public DateTime CreatedAt { get; set; }
}
