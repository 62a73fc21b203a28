using Microsoft.EntityFrameworkCore;

namespace Skein.Store.Sessions;

/// <summary>
/// Recomputes the session counts from the sessions table, for sessions written around the append path (bulk loads,
/// benchmark seeding). The migration that introduced the counts ran the same statement once.
/// </summary>
public static class SessionCountRebuild
{
    public const string Sql =
        "DELETE FROM session_counts; "
        + "INSERT INTO session_counts (tenant_id, agent_id, agent_version_id, trigger_id, status, sessions) "
        + "SELECT tenant_id, agent_id, agent_version_id, COALESCE(trigger_id, '"
        + NoTrigger
        + "'), status, COUNT(*) "
        + "FROM sessions GROUP BY tenant_id, agent_id, agent_version_id, COALESCE(trigger_id, '"
        + NoTrigger
        + "'), "
        + "status;";

    /// <summary>The trigger id of sessions no trigger started, as both stores read it.</summary>
    private const string NoTrigger = "00000000-0000-0000-0000-000000000000";

    public static async Task RebuildAsync(SkeinDbContext db, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(Sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
