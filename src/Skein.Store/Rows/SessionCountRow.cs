namespace Skein.Store.Rows;

/// <summary>
/// How many sessions one agent version has in one status, per trigger that started them: the session lists' totals,
/// kept exact by the append that inserts a session or moves its status (same transaction), so a total is a sum over a
/// few rows instead of a count over every matching session. The trigger is there because an API key reads only the
/// sessions its triggers started.
/// </summary>
public sealed class SessionCountRow
{
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Guid AgentVersionId { get; set; }

    /// <summary>The trigger that started the sessions; <see cref="Guid.Empty"/> for sessions no trigger started
    /// (dashboard Test runs).</summary>
    public Guid TriggerId { get; set; }
    public required string Status { get; set; }
    public long Sessions { get; set; }
}
