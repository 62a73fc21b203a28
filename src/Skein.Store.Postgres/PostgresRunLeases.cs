using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Skein.Store.Leases;

namespace Skein.Store.Postgres;

/// <summary>
/// Run leases in <c>run_leases</c>. Claims lock their candidate rows with <c>FOR UPDATE SKIP LOCKED</c>, so nodes
/// claiming at once split the work instead of queueing on each other; the upsert's condition (no live lease of
/// another owner) makes each claim exclusive. Expiry uses the server's <c>now()</c>: node clocks may differ.
/// </summary>
public sealed class PostgresRunLeases(IDbContextFactory<SkeinDbContext> contexts, NodeIdentity node, IOptions<RunLeaseOptions> options) : IRunLeaseStore
{
    private const string Upsert =
        "INSERT INTO run_leases (run_id, session_id, owner, lease_version, expires_at) ";

    private const string OnConflict =
        " ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, lease_version = run_leases.lease_version + 1, expires_at = excluded.expires_at ";

    private const string NoLiveLease = "NOT EXISTS (SELECT 1 FROM run_leases l WHERE l.run_id = {0} AND l.expires_at > now())";

    public async Task<RunLease?> TryClaimAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(
            Upsert + "VALUES (@run_id, @session_id, @owner, 1, now() + @ttl)" + OnConflict +
            "WHERE run_leases.owner = excluded.owner OR run_leases.expires_at <= now() RETURNING session_id, run_id, lease_version",
            c => { c.Parameters.AddWithValue("run_id", runId); c.Parameters.AddWithValue("session_id", sessionId); },
            cancellationToken);
        return claimed.Count == 1 ? claimed[0] : null;
    }

    public Task<IReadOnlyList<RunLease>> ClaimOrphansAsync(int take, CancellationToken cancellationToken) => ClaimAsync(
        "WITH candidates AS (SELECT r.id, r.session_id FROM runs r WHERE r.status = 'Running' AND " + string.Format(null, NoLiveLease, "r.id") +
        " ORDER BY r.started_at LIMIT @take FOR UPDATE OF r SKIP LOCKED) " +
        Upsert + "SELECT id, session_id, @owner, 1, now() + @ttl FROM candidates" + OnConflict +
        "WHERE run_leases.expires_at <= now() RETURNING session_id, run_id, lease_version",
        c => c.Parameters.AddWithValue("take", take),
        cancellationToken);

    public Task<IReadOnlyList<RunLease>> ClaimDueWaitsAsync(DateTimeOffset now, int take, CancellationToken cancellationToken) => ClaimAsync(
        "WITH due AS (SELECT r.id, r.session_id FROM runs r WHERE r.status IN ('WaitingForTimer', 'WaitingForResponse') " +
        "AND r.wake_at <= @now AND " + string.Format(null, NoLiveLease, "r.id") +
        " ORDER BY r.wake_at LIMIT @take FOR UPDATE OF r SKIP LOCKED) " +
        Upsert + "SELECT id, session_id, @owner, 1, now() + @ttl FROM due" + OnConflict +
        "WHERE run_leases.expires_at <= now() RETURNING session_id, run_id, lease_version",
        c => { c.Parameters.AddWithValue("now", now.UtcDateTime); c.Parameters.AddWithValue("take", take); },
        cancellationToken);

    public async Task<IReadOnlyList<ClaimedTask>> ClaimDueTasksAsync(DateTimeOffset now, int take, CancellationToken cancellationToken)
    {
        const string sql =
            "WITH due AS (SELECT t.id AS task_id, t.run_id, t.session_id FROM user_tasks t WHERE t.status = 'Pending' AND t.timeout_at <= @now AND " +
            "NOT EXISTS (SELECT 1 FROM run_leases l WHERE l.run_id = t.run_id AND l.expires_at > now()) " +
            "ORDER BY t.timeout_at LIMIT @take FOR UPDATE OF t SKIP LOCKED), " +
            "claimed AS (" + Upsert + "SELECT DISTINCT run_id, session_id, @owner, 1::bigint, now() + @ttl FROM due" + OnConflict +
            "WHERE run_leases.expires_at <= now() RETURNING session_id, run_id, lease_version) " +
            "SELECT claimed.session_id, claimed.run_id, claimed.lease_version, due.task_id FROM due JOIN claimed ON claimed.run_id = due.run_id";
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var command = await CommandAsync(db, sql, cancellationToken);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("take", take);
        var result = new List<ClaimedTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new ClaimedTask(Read(reader), reader.GetGuid(3)));
        }

        return result;
    }

    public Task RenewAsync(CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE run_leases SET expires_at = now() + @ttl WHERE owner = @owner AND expires_at > now()", _ => { }, cancellationToken);

    // A finished run is never claimed again, so its row can go; any other stays, expired, so the next claim's
    // version is higher than every version a stale driver could still hold.
    public Task ReleaseAsync(RunLease lease, bool runFinished, CancellationToken cancellationToken) => ExecuteAsync(
        (runFinished ? "DELETE FROM run_leases" : "UPDATE run_leases SET expires_at = now()") +
        " WHERE run_id = @run_id AND owner = @owner AND lease_version = @lease_version",
        c => { c.Parameters.AddWithValue("run_id", lease.RunId); c.Parameters.AddWithValue("lease_version", lease.Version); },
        cancellationToken);

    public Task ReleaseAllAsync(CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE run_leases SET expires_at = now() WHERE owner = @owner AND expires_at > now()", _ => { }, cancellationToken);

    private async Task<IReadOnlyList<RunLease>> ClaimAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var command = await CommandAsync(db, sql, cancellationToken);
        bind(command);
        var result = new List<RunLease>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private async Task ExecuteAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var command = await CommandAsync(db, sql, cancellationToken);
        bind(command);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<NpgsqlCommand> CommandAsync(SkeinDbContext db, string sql, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var command = new NpgsqlCommand(sql, connection);
        if (sql.Contains("@owner", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("owner", node.Id);
        }

        if (sql.Contains("@ttl", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("ttl", options.Value.Duration);
        }

        return command;
    }

    private RunLease Read(DbDataReader reader) => new(reader.GetGuid(0), reader.GetGuid(1), node.Id, reader.GetInt64(2));
}
