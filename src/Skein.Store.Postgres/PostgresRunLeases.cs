using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Skein.Store.Leases;
using Skein.Store.Sessions;

namespace Skein.Store.Postgres;

/// <summary>
/// Run leases in <c>run_leases</c>. The upsert's condition (no live lease of another owner) makes each claim
/// exclusive; expired leases are taken over with <c>FOR UPDATE SKIP LOCKED</c>, so nodes claiming at once split the
/// work instead of queueing on each other. Claims lock lease rows only, never <c>runs</c> rows: an append locks its
/// lease (the fence) and then its run, so a claim holding a run row could deadlock with it. Expiry uses the
/// server's <c>now()</c>: node clocks may differ.
/// </summary>
public sealed class PostgresRunLeases(
    IDbContextFactory<SkeinDbContext> contexts,
    NodeIdentity node,
    IOptions<RunLeaseOptions> options
) : IRunLeaseStore
{
    private const string Upsert = "INSERT INTO run_leases (run_id, session_id, owner, lease_version, expires_at) ";

    private const string OnConflict =
        " ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, "
        + "lease_version = run_leases.lease_version + 1, expires_at = excluded.expires_at ";

    // The leases this node holds (run id to version): what the heartbeat renews.
    private readonly ConcurrentDictionary<Guid, long> _held = new();

    // Runs (aliased r) no node holds a live lease on.
    private const string NoLiveLease =
        "NOT EXISTS (SELECT 1 FROM run_leases l WHERE l.run_id = r.id AND l.expires_at > now())";

    public async Task<RunLease?> TryClaimAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(
            Upsert
                + "VALUES (@run_id, @session_id, @owner, 1, now() + @ttl)"
                + OnConflict
                + "WHERE run_leases.owner = excluded.owner OR run_leases.expires_at <= now() "
                + "RETURNING session_id, run_id, lease_version",
            c =>
            {
                c.Parameters.AddWithValue("run_id", runId);
                c.Parameters.AddWithValue("session_id", sessionId);
            },
            cancellationToken
        );
        return claimed.Count == 1 ? claimed[0] : null;
    }

    // A parent parked on a child at work has nothing to do: the child's report gets it a driver
    // (RunQueries.ChildAtWork).
    private static readonly string NotParked =
        "NOT EXISTS (SELECT 1 FROM runs c WHERE c.session_id = r.session_id AND c.parent_run_id = r.id "
        + "AND c.status IN ("
        + string.Join(", ", RunQueries.ChildAtWork.Select(s => $"'{s}'"))
        + "))";

    public async Task<IReadOnlyList<RunLease>> ClaimOrphansAsync(int take, CancellationToken cancellationToken)
    {
        // Expired leases of Running runs: their node died or stopped.
        var claimed = await ClaimAsync(
            "WITH expired AS (SELECT l.run_id FROM run_leases l JOIN runs r ON r.id = l.run_id "
                + "WHERE l.expires_at <= now() AND r.status = 'Running' AND "
                + NotParked
                + " ORDER BY l.run_id LIMIT @take "
                + "FOR UPDATE OF l SKIP LOCKED) "
                + "UPDATE run_leases SET owner = @owner, lease_version = run_leases.lease_version + 1, "
                + "expires_at = now() + @ttl FROM expired WHERE run_leases.run_id = expired.run_id "
                + "RETURNING run_leases.session_id, run_leases.run_id, run_leases.lease_version",
            c => c.Parameters.AddWithValue("take", take),
            cancellationToken
        );
        if (claimed.Count >= take)
        {
            return claimed;
        }

        // Running runs never claimed at all (their node died between start and claim); the grace leaves a run
        // that just started to the node that started it.
        var unclaimed = await ClaimAsync(
            Upsert
                + "SELECT r.id, r.session_id, @owner, 1, now() + @ttl FROM runs r "
                + "WHERE r.status = 'Running' AND r.started_at < now() - @ttl AND "
                + NotParked
                + " "
                + "AND NOT EXISTS (SELECT 1 FROM run_leases l WHERE l.run_id = r.id) ORDER BY r.id LIMIT @take "
                + "ON CONFLICT (run_id) DO NOTHING RETURNING session_id, run_id, lease_version",
            c => c.Parameters.AddWithValue("take", take - claimed.Count),
            cancellationToken
        );
        return [.. claimed, .. unclaimed];
    }

    public Task<IReadOnlyList<RunLease>> ClaimDueWaitsAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    ) =>
        ClaimAsync(
            Upsert
                + "SELECT r.id, r.session_id, @owner, 1, now() + @ttl FROM runs r "
                + "WHERE r.status IN ('WaitingForTimer', 'WaitingForResponse') "
                + "AND r.wake_at <= @now AND "
                + NoLiveLease
                + " ORDER BY r.id LIMIT @take"
                + OnConflict
                + "WHERE run_leases.expires_at <= now() RETURNING session_id, run_id, lease_version",
            c =>
            {
                c.Parameters.AddWithValue("now", now.UtcDateTime);
                c.Parameters.AddWithValue("take", take);
            },
            cancellationToken
        );

    public async Task<IReadOnlyList<ClaimedTask>> ClaimDueTasksAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    )
    {
        const string sql =
            "WITH due AS (SELECT t.id AS task_id, t.run_id, t.session_id FROM user_tasks t "
            + "WHERE t.status = 'Pending' AND t.timeout_at <= @now AND "
            + "NOT EXISTS (SELECT 1 FROM run_leases l WHERE l.run_id = t.run_id AND l.expires_at > now()) "
            + "ORDER BY t.run_id LIMIT @take), "
            + "claimed AS ("
            + Upsert
            + "SELECT DISTINCT run_id, session_id, @owner, 1::bigint, now() + @ttl FROM due ORDER BY run_id"
            + OnConflict
            + "WHERE run_leases.expires_at <= now() RETURNING session_id, run_id, lease_version) "
            + "SELECT claimed.session_id, claimed.run_id, claimed.lease_version, due.task_id "
            + "FROM due JOIN claimed ON claimed.run_id = due.run_id";
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

    public RunLease LeaseForNewRun(Guid sessionId, Guid runId)
    {
        var lease = new RunLease(sessionId, runId, node.Id, 1) { ClaimWithAppend = options.Value.Duration };
        _held[runId] = lease.Version;
        return lease;
    }

    public void Forget(RunLease lease) => _held.TryRemove(new KeyValuePair<Guid, long>(lease.RunId, lease.Version));

    /// <summary>Renews the leases this node holds in memory, so a lease whose release failed still expires.</summary>
    public Task RenewAsync(CancellationToken cancellationToken)
    {
        // Sorted: rows are locked in run id order, as the writer's lease statements lock them.
        // Live by clock_timestamp(), not now(): a renewal that waited on a row while the append parking its run
        // committed sees that lease given up at the append's now(), which is later than this statement's now(); by
        // now() it would still look live and be renewed, hiding the run's due wake-up from every node for a lease.
        var held = _held.Keys.Order().ToArray();
        return held.Length == 0
            ? Task.CompletedTask
            : ExecuteAsync(
                "UPDATE run_leases SET expires_at = now() + @ttl "
                    + "WHERE owner = @owner AND run_id = ANY(@runs) AND expires_at > clock_timestamp()",
                c => c.Parameters.AddWithValue("runs", held),
                cancellationToken
            );
    }

    // A finished run is never claimed again, so its row can go; any other stays, expired, so the next claim's
    // version is higher than every version a stale driver could still hold.
    public Task ReleaseAsync(RunLease lease, bool runFinished, CancellationToken cancellationToken)
    {
        _held.TryRemove(new KeyValuePair<Guid, long>(lease.RunId, lease.Version));
        return ExecuteAsync(
            (runFinished ? "DELETE FROM run_leases" : "UPDATE run_leases SET expires_at = now()")
                + " WHERE run_id = @run_id AND owner IS NOT DISTINCT FROM @owner AND lease_version = @lease_version",
            c =>
            {
                c.Parameters.AddWithValue("run_id", lease.RunId);
                c.Parameters.AddWithValue("lease_version", lease.Version);
            },
            cancellationToken
        );
    }

    public Task ReleaseAllAsync(CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE run_leases SET expires_at = now() WHERE owner = @owner AND expires_at > now()",
            _ => { },
            cancellationToken
        );

    private async Task<IReadOnlyList<RunLease>> ClaimAsync(
        string sql,
        Action<NpgsqlCommand> bind,
        CancellationToken cancellationToken
    )
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

    private RunLease Read(DbDataReader reader)
    {
        var lease = new RunLease(reader.GetGuid(0), reader.GetGuid(1), node.Id, reader.GetInt64(2));
        _held[lease.RunId] = lease.Version;
        return lease;
    }
}
