using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Engine.Runs;
using Skein.Engine.Sessions;
using Skein.Store.Leases;
using Skein.Store.Sessions;

namespace Skein.Engine.Timers;

/// <summary>
/// Wakes runs whose persisted wake-up time has passed (phrony_wait, conversation idle timeout), resolves
/// approvals past their timeout by their default, and
/// re-dispatches Running runs that lost their driver. Nothing waits in memory: a restart loses no timer.
/// </summary>
public sealed partial class TimerService(
    RunQueries runs,
    IRunLeaseStore leases,
    SessionActions actions,
    RunDispatcher dispatcher,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<TimerService> logger
) : BackgroundService
{
    private const int SweepEveryTicks = 30;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TimerPollInterval, time);
        var tick = 0;
        try
        {
            do
            {
                try
                {
                    await WakeDueAsync(stoppingToken);
                    // Where leases expire (PostgreSQL), the lease service resumes driverless runs instead.
                    if (++tick % SweepEveryTicks == 0 && !leases.ClaimsOrphans)
                    {
                        await SweepOrphansAsync(stoppingToken);
                    }
                }
                catch (Exception ex)
                    when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.TickFailed(logger, ex);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: due timers are still in the store for the next start.
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
            var due = await leases.ClaimDueWaitsAsync(time.GetUtcNow(), 100, cancellationToken);
            foreach (var lease in due)
            {
                await UnderLeaseAsync(lease, () => actions.WakeAsync(lease.SessionId, lease.RunId, cancellationToken));
            }

            if (due.Count < 100)
            {
                break;
            }
        }

        foreach (var claimed in await leases.ClaimDueTasksAsync(time.GetUtcNow(), 100, cancellationToken))
        {
            await UnderLeaseAsync(claimed.Lease, () =>
                actions.TimeOutTaskAsync(claimed.Lease.SessionId, claimed.TaskId, cancellationToken)
            );
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

    private async Task SweepOrphansAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await runs.RunningAsync(cancellationToken))
        {
            if (!dispatcher.IsActive(run.RunId))
            {
                dispatcher.Dispatch(run.SessionId, run.RunId);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Error, Message = "Timer tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
