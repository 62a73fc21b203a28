using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Store.Sessions;

namespace Skein.Engine.Telemetry;

/// <summary>
/// The observable gauges <c>skein.sessions.active</c>, <c>skein.sessions.waiting</c> and
/// <c>skein.user_tasks.pending</c>: store-wide totals (every node reports the same values), read at most every
/// <see cref="Interval"/> and only while something collects them, so an unobserved server runs no query.
/// </summary>
public sealed partial class StatusGauges(
    IServiceProvider services,
    SkeinMetrics metrics,
    TimeProvider time,
    ILogger<StatusGauges> logger
) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private StatusTotals.Totals _latest = new(0, 0, 0);
    private long _observedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.Meter.CreateObservableGauge(
            "skein.sessions.active",
            () => Observe().ActiveSessions,
            "{session}",
            "Sessions Running"
        );
        metrics.Meter.CreateObservableGauge(
            "skein.sessions.waiting",
            () => Observe().WaitingSessions,
            "{session}",
            "Sessions waiting (for a person, an agent, a reply or a timer)"
        );
        metrics.Meter.CreateObservableGauge(
            "skein.user_tasks.pending",
            () => Observe().PendingUserTasks,
            "{task}",
            "User tasks waiting for an answer"
        );
        var totals = services.GetRequiredService<StatusTotals>();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                if (time.GetElapsedTime(Interlocked.Read(ref _observedAt)) > Interval * 12)
                {
                    continue;
                }

                try
                {
                    _latest = await totals.ReadAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RefreshFailed(logger, ex.Message);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping (or a start that failed and stops the host): nothing to report.
        }
    }

    private StatusTotals.Totals Observe()
    {
        Interlocked.Exchange(ref _observedAt, time.GetTimestamp());
        return _latest;
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3601,
            Level = LogLevel.Warning,
            Message = "Reading the status gauges failed: {Reason}"
        )]
        public static partial void RefreshFailed(ILogger logger, string reason);
    }
}
