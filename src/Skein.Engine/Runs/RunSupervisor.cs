using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Engine.Sessions;
using Skein.Store.Leases;
using Skein.Store.Sessions;

namespace Skein.Engine.Runs;

/// <summary>
/// The one place that gets runs moving again when nothing in this process drives them, on both stores and through
/// the lease abstraction (<see cref="IRunLeaseStore"/>):
/// <list type="bullet">
/// <item><b>Recovery</b>: at start, resumes the runs nobody drives (<see cref="IRunLeaseStore.ClaimOrphansAsync"/>:
/// on SQLite every Running run, on PostgreSQL those whose lease expired), each from its last committed step.</item>
/// <item><b>Due timers</b>, every <see cref="EngineOptions.TimerPollInterval"/> on the injected clock: wakes runs whose
/// persisted wake-up passed (phrony_wait, conversation idle deadline) and resolves approvals past their timeout. Each
/// is claimed first, so when several nodes share the store exactly one wakes it. Nothing waits in memory.</item>
/// <item><b>Heartbeat</b>, every <see cref="RunLeaseOptions.RenewInterval"/> of wall-clock time (lease expiry is
/// judged by the store's clock, whatever clock the engine runs on): renews this node's leases and resumes orphaned
/// runs — a dead node's, or a driver's that failed here.</item>
/// </list>
/// Every resumed run goes to <see cref="RunDispatcher.Dispatch"/> with its claim. On a clean stop the node's leases
/// are given up, so other nodes need not wait for them to expire.
/// </summary>
public sealed partial class RunSupervisor(
    IRunLeaseStore leases,
    RunQueries runs,
    SessionActions actions,
    RunDispatcher dispatcher,
    IOptions<EngineOptions> engine,
    IOptions<RunLeaseOptions> leaseOptions,
    TimeProvider time,
    ILogger<RunSupervisor> logger
) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var resumed = await ResumeOrphansAsync(stoppingToken);
            Log.Recovered(logger, resumed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Log.RecoveryFailed(logger, ex);
        }

        await Task.WhenAll(
            EveryAsync(engine.Value.TimerPollInterval, time, WakeDueAsync, stoppingToken),
            EveryAsync(leaseOptions.Value.RenewInterval, TimeProvider.System, HeartbeatAsync, stoppingToken)
        );
    }

    /// <summary>Runs <paramref name="work"/> now and then every <paramref name="period"/> until the host stops; a
    /// failed round is logged and the next one tries again.</summary>
    private async Task EveryAsync(
        TimeSpan period,
        TimeProvider clock,
        Func<CancellationToken, Task> work,
        CancellationToken stoppingToken
    )
    {
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            do
            {
                try
                {
                    await work(stoppingToken);
                }
                catch (Exception ex)
                    when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.RoundFailed(logger, ex);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: due timers and Running runs are in the store for the next start.
        }
    }

    /// <summary>
    /// Wakes every due run now; exposed so tests with a fake clock need not wait for a tick. Each due run is claimed
    /// first (its lease), so when several nodes share the store exactly one of them wakes it.
    /// </summary>
    public async Task WakeDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var due = await leases.ClaimDueWaitsAsync(time.GetUtcNow(), Batch, cancellationToken);
            foreach (var lease in due)
            {
                await UnderLeaseAsync(lease, () => actions.WakeAsync(lease.SessionId, lease.RunId, cancellationToken));
            }

            if (due.Count < Batch)
            {
                break;
            }
        }

        foreach (var claimed in await leases.ClaimDueTasksAsync(time.GetUtcNow(), Batch, cancellationToken))
        {
            await UnderLeaseAsync(claimed.Lease, () =>
                actions.TimeOutTaskAsync(claimed.Lease.SessionId, claimed.TaskId, cancellationToken)
            );
        }

        // Sessions past their time limits fail even when nothing runs (a wait on a person); the timer's append needs
        // no lease (the session's version guard orders it), and a node that decides second finds it finished.
        foreach (var sessionId in await runs.OverdueSessionsAsync(time.GetUtcNow(), Batch, cancellationToken))
        {
            await actions.ExpireAsync(sessionId, cancellationToken);
        }
    }

    /// <summary>The wake-up commits (and dispatches the run, whose driver claims it again); then the timer's claim is
    /// given up.</summary>
    private async Task UnderLeaseAsync(RunLease lease, Func<Task<CommandResult>> act)
    {
        try
        {
            await act();
        }
        finally
        {
            await leases.ReleaseAsync(lease, runFinished: false, CancellationToken.None);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        await leases.RenewAsync(cancellationToken);
        var resumed = await ResumeOrphansAsync(cancellationToken);
        if (resumed > 0)
        {
            Log.ResumedOrphans(logger, resumed);
        }
    }

    /// <summary>
    /// Claims the runs nobody drives and hands each to the dispatcher; a claim on a run this node already drives is
    /// given back. Stops at a short batch, or at one that resumed nothing (a single-node store lists every Running
    /// run, driven or not).
    /// </summary>
    private async Task<int> ResumeOrphansAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var claimed = await leases.ClaimOrphansAsync(Batch, cancellationToken);
            var resumed = 0;
            foreach (var lease in claimed)
            {
                if (dispatcher.Dispatch(lease.SessionId, lease.RunId, lease))
                {
                    resumed++;
                }
                else
                {
                    await leases.ReleaseAsync(lease, runFinished: false, cancellationToken);
                }
            }

            total += resumed;
            if (claimed.Count < Batch || resumed == 0)
            {
                return total;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAllAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReleaseFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Resumed {Count} runs at start")]
        public static partial void Recovered(ILogger logger, int count);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "Resuming runs at start failed")]
        public static partial void RecoveryFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3203, Level = LogLevel.Error, Message = "Run supervisor round failed")]
        public static partial void RoundFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 3204,
            Level = LogLevel.Information,
            Message = "Resumed {Count} runs nobody drove (a lease expired or a driver failed)"
        )]
        public static partial void ResumedOrphans(ILogger logger, int count);

        [LoggerMessage(
            EventId = 3205,
            Level = LogLevel.Warning,
            Message = "Releasing this node's leases at stop failed; they will expire"
        )]
        public static partial void ReleaseFailed(ILogger logger, Exception exception);
    }
}
