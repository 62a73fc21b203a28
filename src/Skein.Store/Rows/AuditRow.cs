namespace Skein.Store.Rows;

/// <summary>
/// Append-only audit of configuration decisions outside a session's own event stream (e.g. an agent's
/// execution mode change). Session decisions (answers, Terminate, Mark complete) live in the session's
/// events, which are append-only themselves.
/// </summary>
public sealed class AuditRow
{
    public long Id { get; set; }
    public Guid TenantId { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string SubjectType { get; set; }
    public Guid SubjectId { get; set; }
    public required string Detail { get; set; }
}
