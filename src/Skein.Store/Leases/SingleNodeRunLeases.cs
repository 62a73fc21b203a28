using Skein.Store.Sessions;

namespace Skein.Store.Leases;

/// <summary>
/// Leases on a store only one process uses (SQLite): every claim succeeds and nothing needs fencing, since this
/// process's dispatcher already drives each run at most once. Due work comes from the plain queries.
/// </summary>
public sealed class SingleNodeRunLeases(RunQueries runs, UserTaskQueries tasks, NodeIdentity node) : IRunLeaseStore
{
    public Task<RunLease?> TryClaimAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken) =>
        Task.FromResult<RunLease?>(Unfenced(sessionId, runId));

    // Every Running run: the dispatcher drives at most one driver per run and skips those it already drives.
    public async Task<IReadOnlyList<RunLease>> ClaimOrphansAsync(int take, CancellationToken cancellationToken) =>
        [.. (await runs.RunningAsync(cancellationToken)).Select(r => Unfenced(r.SessionId, r.RunId))];

    public async Task<IReadOnlyList<RunLease>> ClaimDueWaitsAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    ) => [.. (await runs.DueAsync(now, take, cancellationToken)).Select(r => Unfenced(r.SessionId, r.RunId))];

    public async Task<IReadOnlyList<ClaimedTask>> ClaimDueTasksAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    )
    {
        var due = await tasks.DueAsync(now, take, cancellationToken);
        var result = new List<ClaimedTask>(due.Count);
        foreach (var (sessionId, taskId) in due)
        {
            if (await tasks.GetAsync(taskId, cancellationToken) is { } task)
            {
                result.Add(new ClaimedTask(Unfenced(sessionId, task.RunId), taskId));
            }
        }

        return result;
    }

    public RunLease LeaseForNewRun(Guid sessionId, Guid runId) => Unfenced(sessionId, runId);

    public void Forget(RunLease lease) { }

    public Task RenewAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseAsync(RunLease lease, bool runFinished, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task ReleaseAllAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private RunLease Unfenced(Guid sessionId, Guid runId) => new(sessionId, runId, node.Id, 0);
}
