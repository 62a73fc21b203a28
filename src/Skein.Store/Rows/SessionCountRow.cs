namespace Skein.Store.Rows;

/// <summary>
/// How many sessions one agent version has in one status: the session lists' totals, kept exact by the append that
/// inserts a session or moves its status (same transaction), so a total is a sum over a few rows instead of a count
/// over every matching session.
/// </summary>
public sealed class SessionCountRow
{
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Guid AgentVersionId { get; set; }
    public required string Status { get; set; }
    public long Sessions { get; set; }
}
