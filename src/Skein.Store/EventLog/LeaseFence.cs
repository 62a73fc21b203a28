using System.Data.Common;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Store.Leases;

namespace Skein.Store.EventLog;

/// <summary>
/// The lease statements of the append transaction, kept apart from the append's own statements. Before a run
/// driver's rows are written the store must still hold its lease (<see cref="IStoreDialect.FenceSql"/>), else the
/// append fails with <see cref="LeaseLostException"/> and nothing of it commits. The same statement also claims and
/// gives the lease up where the append allows, so neither needs a transaction of its own:
/// <list type="bullet">
/// <item>a run's first lease (<see cref="RunLease.ClaimWithAppend"/>) is inserted by the driver's first append; a
/// lease row that already exists means another node claimed the run, and the append fails as above;</item>
/// <item>the append that finishes its run deletes the lease, the one that parks it (waiting for a timer, a person, a
/// message) expires it, each only while owner and version still match, so it is the fence as well.</item>
/// </list>
/// Every statement returns one row when it holds. Leases are taken in run id order (the heartbeat renews in the same
/// order). Used only where the dialect fences (PostgreSQL): the claim and release statements are PostgreSQL's.
/// </summary>
internal sealed class LeaseFence(string fenceSql, bool positional)
{
    private static readonly SqlText ClaimSql = new(
        "INSERT INTO run_leases (run_id, session_id, owner, lease_version, expires_at) "
            + "VALUES (@run_id, @session_id, @owner, @lease_version, now() + @ttl) "
            + "ON CONFLICT (run_id) DO NOTHING RETURNING 1"
    );

    // By key only: IS NOT DISTINCT FROM (owner is NOT NULL) keeps a prepared statement's generic plan off the owner
    // index (see PostgresDialect.FenceSql).
    private const string Matches =
        " WHERE run_id = @run_id AND owner IS NOT DISTINCT FROM @owner AND lease_version = @lease_version";

    private static readonly SqlText DeleteSql = new("DELETE FROM run_leases" + Matches + " RETURNING 1");

    private static readonly SqlText ExpireSql = new(
        "UPDATE run_leases SET expires_at = now()" + Matches + " RETURNING 1"
    );

    private readonly SqlText _fenceSql = new(fenceSql);

    /// <summary>The lease of one append and the state the append leaves the session in.</summary>
    public readonly record struct Step(RunLease Lease, SessionState After)
    {
        public RunStatus? RunAfter => After.Runs.GetValueOrDefault(Lease.RunId)?.Status;

        /// <summary>The append takes the run off Running: its driver stops, and the lease goes with the
        /// append.</summary>
        public bool Releases => RunAfter is { } status && status != RunStatus.Running;
    }

    /// <summary>Checks (and claims or releases) every lease in one round trip; the first that does not hold
    /// throws.</summary>
    public async Task CheckAllAsync(
        IReadOnlyList<Step> steps,
        DbTransaction transaction,
        CancellationToken cancellationToken
    )
    {
        if (steps.Count == 0)
        {
            return;
        }

        await using var batch = transaction.Connection!.CreateBatch();
        batch.Transaction = transaction;
        var owners = new List<RunLease>();
        foreach (var step in steps.OrderBy(s => s.Lease.RunId))
        {
            var lease = step.Lease;
            if (lease.ClaimWithAppend is { } ttl)
            {
                Add(batch, ClaimSql, lease, ttl);
                owners.Add(lease);
            }

            if (step.Releases)
            {
                Add(batch, RunStatusMachine.IsTerminal(step.RunAfter!.Value) ? DeleteSql : ExpireSql, lease, null);
                owners.Add(lease);
            }
            else if (lease.ClaimWithAppend is null)
            {
                Add(batch, _fenceSql, lease, null);
                owners.Add(lease);
            }
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var lease in owners)
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new LeaseLostException(lease);
            }

            while (await reader.ReadAsync(cancellationToken)) { }

            await reader.NextResultAsync(cancellationToken);
        }
    }

    public Task CheckAsync(Step step, DbTransaction transaction, CancellationToken cancellationToken) =>
        CheckAllAsync([step], transaction, cancellationToken);

    /// <summary>Adds one lease statement, its values bound in the order its parameters appear.</summary>
    private void Add(DbBatch batch, SqlText sql, RunLease lease, TimeSpan? ttl)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = positional ? sql.Positional : sql.Text;
        foreach (var name in sql.ParameterNames)
        {
            var p = command.CreateParameter();
            if (!positional)
            {
                p.ParameterName = name;
            }

            p.Value = name switch
            {
                "@run_id" => lease.RunId,
                "@session_id" => lease.SessionId,
                "@owner" => lease.Owner,
                "@lease_version" => lease.Version,
                "@ttl" => ttl ?? throw new ArgumentException("a claim needs its time to live", nameof(ttl)),
                _ => throw new ArgumentException($"unknown lease parameter {name}", nameof(sql)),
            };
            command.Parameters.Add(p);
        }

        batch.BatchCommands.Add(command);
    }
}
