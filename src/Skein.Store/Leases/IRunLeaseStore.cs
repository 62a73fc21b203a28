namespace Skein.Store.Leases;

/// <summary>
/// Who drives which run, when several nodes share one store. A run that needs work (Running, or a due timer or
/// approval timeout) is claimed with a lease; the owner renews its leases while alive; leases of a node that died
/// expire and another node claims the runs. Expiry is judged by the store's clock, never a node's.
/// </summary>
public interface IRunLeaseStore
{
    /// <summary>Claims one run for this node; null when another node holds a live lease on it.</summary>
    Task<RunLease?> TryClaimAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// The first lease of a run being started here, written by the append that starts it (<see
    /// cref="RunLease.ClaimWithAppend"/>) instead of a transaction of its own; once that append committed, the run's
    /// driver holds it (<c>lease with { ClaimWithAppend = null }</c>).
    /// </summary>
    RunLease LeaseForNewRun(Guid sessionId, Guid runId);

    /// <summary>Stops renewing a lease an append gave up (the append that parked or finished its run).</summary>
    void Forget(RunLease lease);

    /// <summary>
    /// Claims Running runs that no live lease covers: their driver's node died or stopped, or their driver failed.
    /// Up to <paramref name="take"/> per call where claims are exclusive; a single-node store, which cannot tell a
    /// driven run from an orphan, lists every Running run (the dispatcher skips those it drives).
    /// </summary>
    Task<IReadOnlyList<RunLease>> ClaimOrphansAsync(int take, CancellationToken cancellationToken);

    /// <summary>Claims runs whose wake-up (phrony_wait, conversation idle deadline) is due at <paramref
    /// name="now"/>.</summary>
    Task<IReadOnlyList<RunLease>> ClaimDueWaitsAsync(DateTimeOffset now, int take, CancellationToken cancellationToken);

    /// <summary>Claims the runs of pending user tasks whose timeout is due at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<ClaimedTask>> ClaimDueTasksAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    );

    /// <summary>Extends every live lease of this node (the heartbeat).</summary>
    Task RenewAsync(CancellationToken cancellationToken);

    /// <summary>Gives a lease up; a finished run's lease is deleted, others stay (expired) so versions keep
    /// growing.</summary>
    Task ReleaseAsync(RunLease lease, bool runFinished, CancellationToken cancellationToken);

    /// <summary>Gives up every lease of this node (a clean stop): other nodes need not wait for expiry.</summary>
    Task ReleaseAllAsync(CancellationToken cancellationToken);
}

/// <summary>A due user task and the lease on its run.</summary>
public sealed record ClaimedTask(RunLease Lease, Guid TaskId);
