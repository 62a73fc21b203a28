namespace Skein.Store.Rows;

/// <summary>
/// One entry of the append-only event log. (SessionId, Sequence) is unique: the per-stream concurrency
/// guard. <see cref="GlobalSequence"/> orders all events for readers that follow the whole log.
/// </summary>
public sealed class SessionEventRow
{
    public long GlobalSequence { get; set; }
    public Guid SessionId { get; set; }
    public long Sequence { get; set; }
    public Guid? RunId { get; set; }
    public Guid TenantId { get; set; }
    public required string Type { get; set; }
    public required string Data { get; set; }
    public required string Actor { get; set; }
    public DateTime OccurredAt { get; set; }
}
