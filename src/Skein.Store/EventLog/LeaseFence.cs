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
internal sealed class LeaseFence(string fenceSql)
{
    private const string ClaimSql =
        "INSERT INTO run_leases (run_id, session_id, owner, lease_version, expires_at) "
        + "VALUES (@run_id, @session_id, @owner, @lease_version, now() + @ttl) "
        + "ON CONFLICT (run_id) DO NOTHING RETURNING 1";

    private const string Matches = " WHERE run_id = @run_id AND owner = @owner AND lease_version = @lease_version";

    private const string DeleteSql = "DELETE FROM run_leases" + Matches + " RETURNING 1";

    private const string ExpireSql = "UPDATE run_leases SET expires_at = now()" + Matches + " RETURNING 1";

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
                var claim = Add(batch, ClaimSql, lease);
                AddParameter(claim, "@session_id", lease.SessionId);
                AddParameter(claim, "@ttl", ttl);
                owners.Add(lease);
            }

            if (step.Releases)
            {
                Add(batch, RunStatusMachine.IsTerminal(step.RunAfter!.Value) ? DeleteSql : ExpireSql, lease);
                owners.Add(lease);
            }
            else if (lease.ClaimWithAppend is null)
            {
                Add(batch, fenceSql, lease);
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

    private static DbBatchCommand Add(DbBatch batch, string sql, RunLease lease)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        AddParameter(command, "@run_id", lease.RunId);
        AddParameter(command, "@owner", lease.Owner);
        AddParameter(command, "@lease_version", lease.Version);
        batch.BatchCommands.Add(command);
        return command;
    }

    private static void AddParameter(DbBatchCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
