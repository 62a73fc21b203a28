namespace Skein.Store.Rows;

/// <summary>Which node drives a run until when (multi-node stores); see <see cref="Leases.IRunLeaseStore"/>.</summary>
public sealed class RunLeaseRow
{
    public Guid RunId { get; set; }
    public Guid SessionId { get; set; }
    public required string Owner { get; set; }
    public long LeaseVersion { get; set; }
    public DateTime ExpiresAt { get; set; }
}
