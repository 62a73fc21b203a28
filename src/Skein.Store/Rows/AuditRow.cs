namespace Skein.Store.Rows;

/// <summary>
/// Append-only audit log (SPEC section 10): every management write and operator action, with who did it
/// (<see cref="Actor"/>), when, what, its target (<see cref="SubjectType"/>, <see cref="SubjectId"/>), its outcome
/// and a note (<see cref="Detail"/>: a name, a comment, or why it failed). Session decisions are also in the
/// session's own events.
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

    /// <summary><c>succeeded</c>, <c>failed</c> (the action was refused; the note says why) or <c>denied</c> (the
    /// caller's role may not do it).</summary>
    public string Outcome { get; set; } = AuditOutcomes.Succeeded;
}

/// <summary>The outcomes an audit entry records.</summary>
public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Denied = "denied";
}
