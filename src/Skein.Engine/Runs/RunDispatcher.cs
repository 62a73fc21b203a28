using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Core.Runs;
using Skein.Engine.Sessions;
using Skein.Store.Agents;
using Skein.Store.Leases;

namespace Skein.Engine.Runs;

/// <summary>
/// Drives Running runs on this node, at most one driver per run and a bounded number at once. Stopping
/// the host cancels drivers without failing their runs: they stay Running in the store and resume on
/// the next start. Terminate cancels a session's drivers after the store already says Failed.
/// A driver first claims the run's lease (<see cref="IRunLeaseStore"/>): on a store several nodes share, a run
/// another node drives is left to it, and every step is committed under the lease. A run started here was claimed by
/// its start's append instead (<see cref="RunStarter"/>), and the append that parks or finishes a run gives its lease
/// up, so the common run needs no lease transaction of its own. A driver that fails leaves its run Running: the
/// <see cref="RunSupervisor"/> resumes it.
/// </summary>
public sealed partial class RunDispatcher(
    RunExecutor executor,
    SessionCommands commands,
    IRunLeaseStore leases,
    IOptions<EngineOptions> options,
    ILogger<RunDispatcher> logger
) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<Guid, ActiveRun> _active = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRuns, options.Value.MaxConcurrentRuns);
    private int _stopped;

    public int ActiveCount => _active.Count;

    public bool IsActive(Guid runId) => _active.ContainsKey(runId);

    /// <summary>
    /// Drives the run here unless it already has a driver (then false); <paramref name="claimed"/> is a lease this
    /// node already holds on it, which the driver then owns.
    /// </summary>
    /// <remarks><paramref name="driver"/>: provider and plan limits the caller has just read (a run start), so the
    /// driver need not.</remarks>
    public bool Dispatch(Guid sessionId, Guid runId, RunLease? claimed = null, DriverSettings? driver = null)
    {
        if (_shutdown.IsCancellationRequested)
        {
            return false;
        }

        var active = new ActiveRun(sessionId, CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token));
        if (!_active.TryAdd(runId, active))
        {
            active.Cancellation.Dispose();
            return false;
        }

        active.Task = Task.Run(() => DriveAsync(runId, active, claimed, driver));
        return true;
    }

    /// <summary>Cancels in-flight model and tool work of a session's runs (after Terminate was committed).</summary>
    public void CancelSession(Guid sessionId)
    {
        foreach (var (_, active) in _active.Where(a => a.Value.SessionId == sessionId))
        {
            try
            {
                active.Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The driver finished meanwhile.
            }
        }
    }

    private async Task DriveAsync(Guid runId, ActiveRun active, RunLease? claimed, DriverSettings? driver)
    {
        var token = active.Cancellation.Token;
        var exitedCleanly = false;
        RunStatus? lastStatus = null;
        RunLease? lease = null;
        var released = false;
        try
        {
            // Claimed before waiting for a slot, so other nodes do not take a run that merely waits its turn here. A
            // run started here comes with the lease its start committed.
            lease = claimed ?? await leases.TryClaimAsync(active.SessionId, runId, token);
            if (lease is null)
            {
                Log.HeldElsewhere(logger, runId);
                commands.Forget(active.SessionId);
                return;
            }

            if (lease.Fenced && !lease.FirstClaim)
            {
                // Another node may have driven the run since this node last looked: plan from the store, not the cache.
                commands.Forget(active.SessionId);
            }

            await _slots.WaitAsync(token);
            try
            {
                var outcome = await executor.DriveAsync(active.SessionId, runId, lease, driver, token);
                (lastStatus, released) = (outcome.Status, outcome.LeaseReleased);
                exitedCleanly = true;
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Terminated, or the node is stopping: the store already holds the truth.
        }
        catch (LeaseLostException)
        {
            // Another node claimed the run (this node missed its heartbeats): that node drives it now.
            Log.LeaseLost(logger, runId);
            leases.Forget(lease!);
            lease = null;
        }
        catch (Exception ex)
        {
            // The run stays Running in the store; the run supervisor resumes it (its lease is given up below).
            Log.DriverFailed(logger, runId, ex);
        }
        finally
        {
            if (lease is not null && released)
            {
                leases.Forget(lease);
            }
            else if (lease is not null)
            {
                await ReleaseAsync(lease, lastStatus is { } status && RunStatusMachine.IsTerminal(status));
            }

            _active.TryRemove(runId, out _);
            active.Cancellation.Dispose();
        }

        // A message or timer may have made the run Running again while this driver was on its way out.
        // A finished run never changes again, so it needs no second look (and no reload from the store).
        var finished = lastStatus is { } last && RunStatusMachine.IsTerminal(last);
        if (exitedCleanly && !finished && !_shutdown.IsCancellationRequested)
        {
            try
            {
                var state = await commands.GetAsync(active.SessionId, CancellationToken.None);
                if (
                    state?.Runs.GetValueOrDefault(runId) is { Status: RunStatus.Running } run
                    && !RunPlanner.IsParked(run, state)
                )
                {
                    Dispatch(active.SessionId, runId);
                }
            }
            catch (Exception ex)
            {
                // The store is unreachable: if the run is Running, the run supervisor resumes it.
                Log.DriverFailed(logger, runId, ex);
            }
        }
    }

    private async Task ReleaseAsync(RunLease lease, bool finished)
    {
        try
        {
            await leases.ReleaseAsync(lease, finished, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Harmless: the lease expires on its own, a little later.
            Log.ReleaseFailed(logger, lease.RunId, ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Idempotent: hosts may stop twice, or dispose before stopping.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _shutdown.CancelAsync();
        var drivers = _active.Values.Select(a => a.Task).OfType<Task>().ToArray();
        await Task.WhenAll(drivers).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // The CTS and semaphore own no timer or wait handle, so cancelling is all there is to release;
    // leaving them undisposed keeps a late StopAsync or Dispatch safe.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _shutdown.Cancel();
        }
    }

    private sealed class ActiveRun(Guid sessionId, CancellationTokenSource cancellation)
    {
        public Guid SessionId { get; } = sessionId;
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public Task? Task { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3101,
            Level = LogLevel.Error,
            Message = "Driver of run {RunId} failed; the run will be resumed"
        )]
        public static partial void DriverFailed(ILogger logger, Guid runId, Exception exception);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Run {RunId} is driven by another node")]
        public static partial void HeldElsewhere(ILogger logger, Guid runId);

        [LoggerMessage(
            EventId = 3103,
            Level = LogLevel.Warning,
            Message = "Lost the lease on run {RunId} to another node; stopped driving it"
        )]
        public static partial void LeaseLost(ILogger logger, Guid runId);

        [LoggerMessage(
            EventId = 3104,
            Level = LogLevel.Warning,
            Message = "Releasing the lease on run {RunId} failed; it will expire"
        )]
        public static partial void ReleaseFailed(ILogger logger, Guid runId, Exception exception);
    }
}
