using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Engine.Runs;
using Skein.Store.Leases;

namespace Skein.Engine.Leases;

/// <summary>
/// The node's heartbeat: renews its run leases, and claims Running runs whose lease expired (their node died) to
/// resume them here through the normal recovery path (the planner continues from the committed steps). On a clean
/// stop it gives its leases up, so other nodes need not wait for them to expire. A no-op on a single-node store.
/// </summary>
public sealed partial class LeaseService(
    IRunLeaseStore leases,
    RunDispatcher dispatcher,
    IOptions<RunLeaseOptions> options,
    ILogger<LeaseService> logger
) : BackgroundService
{
    private const int ClaimBatch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wall-clock on purpose: lease expiry is judged by the store's clock, whatever clock the engine runs on.
        using var timer = new PeriodicTimer(options.Value.RenewInterval);
        try
        {
            do
            {
                try
                {
                    await leases.RenewAsync(stoppingToken);
                    await ClaimOrphansAsync(stoppingToken);
                }
                catch (Exception ex)
                    when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.HeartbeatFailed(logger, ex);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task ClaimOrphansAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var claimed = await leases.ClaimOrphansAsync(ClaimBatch, cancellationToken);
            foreach (var lease in claimed)
            {
                Log.Resuming(logger, lease.RunId);
                if (!dispatcher.Dispatch(lease.SessionId, lease.RunId, lease))
                {
                    await leases.ReleaseAsync(lease, runFinished: false, cancellationToken);
                }
            }

            if (claimed.Count < ClaimBatch)
            {
                return;
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
        [LoggerMessage(EventId = 3401, Level = LogLevel.Error, Message = "Lease heartbeat failed")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 3402,
            Level = LogLevel.Information,
            Message = "Resuming run {RunId}: its lease expired"
        )]
        public static partial void Resuming(ILogger logger, Guid runId);

        [LoggerMessage(
            EventId = 3403,
            Level = LogLevel.Warning,
            Message = "Releasing this node's leases at stop failed; they will expire"
        )]
        public static partial void ReleaseFailed(ILogger logger, Exception exception);
    }
}
