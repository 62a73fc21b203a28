using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Core.Sessions;
using Skein.Store;
using Skein.Store.Sessions;
using Skein.Store.Triggers;

namespace Skein.Engine.Timers;

/// <summary>
/// Applies each workspace's retention setting: every <see cref="EngineOptions.RetentionSweepInterval"/> it deletes
/// the finished sessions that finished more than the retention days ago, a batch per transaction so the event log's
/// writer never waits long. Several nodes may sweep at once: each session is deleted, and counted off, once. The
/// trigger ingress log (and webhook delivery-id claims) older than the same number of days goes too.
/// </summary>
public sealed partial class RetentionService(
    IDbContextFactory<SkeinDbContext> contexts,
    SessionPurge purge,
    IngressLog ingress,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger
) : BackgroundService
{
    private const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex)
                    when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.SweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is left is deleted by the next sweep.
        }
    }

    /// <summary>One pass over every workspace; returns the sessions deleted. Exposed so tests with a fake clock need
    /// not wait for a tick.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        List<(Guid Id, int RetentionDays)> workspaces;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            workspaces =
            [
                .. (
                    await db
                        .Workspaces.AsNoTracking()
                        .Select(w => new { w.Id, w.RetentionDays })
                        .ToListAsync(cancellationToken)
                ).Select(w => (w.Id, w.RetentionDays)),
            ];
        }

        var total = 0;
        foreach (var (tenantId, days) in workspaces)
        {
            var cutoff = SessionRetention.Cutoff(time.GetUtcNow(), days);
            var deleted = 0;
            int batch;
            do
            {
                batch = await purge.DeleteBatchAsync(tenantId, cutoff, BatchSize, cancellationToken);
                deleted += batch;
            } while (batch > 0);

            if (deleted > 0)
            {
                Log.Deleted(logger, deleted, tenantId, days);
            }

            var entries = await ingress.PruneAsync(tenantId, cutoff, cancellationToken);
            if (entries > 0)
            {
                Log.IngressDeleted(logger, entries, tenantId, days);
            }

            total += deleted;
        }

        return total;
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3501,
            Level = LogLevel.Information,
            Message = "Retention deleted {Count} finished sessions of workspace {TenantId} (kept {Days} days)"
        )]
        public static partial void Deleted(ILogger logger, int count, Guid tenantId, int days);

        [LoggerMessage(
            EventId = 3503,
            Level = LogLevel.Information,
            Message = "Retention deleted {Count} trigger ingress entries of workspace {TenantId} (kept {Days} days)"
        )]
        public static partial void IngressDeleted(ILogger logger, int count, Guid tenantId, int days);

        [LoggerMessage(
            EventId = 3502,
            Level = LogLevel.Error,
            Message = "Retention sweep failed; the next sweep retries"
        )]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
