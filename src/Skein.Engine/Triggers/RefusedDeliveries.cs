using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Store.Triggers;

namespace Skein.Engine.Triggers;

/// <summary>
/// Counts webhook deliveries refused before authentication (bad signature, stale timestamp, over-long delivery id)
/// in memory, per trigger, and adds the counts to each trigger's one summary row every
/// <see cref="EngineOptions.RefusalFlushInterval"/>. A caller without the secret thus costs no write per request and
/// cannot grow the store: memory is one entry per existing trigger, the store one row. Refusals are logged at Debug,
/// with at most one Warning summary per minute.
/// </summary>
public sealed partial class RefusedDeliveries(
    IngressLog log,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<RefusedDeliveries> logger
) : BackgroundService
{
    private static readonly TimeSpan WarningEvery = TimeSpan.FromMinutes(1);

    private sealed class Pending
    {
        public required Guid TenantId { get; init; }
        public long Count;
        public DateTime LastAt;
        public string LastReason = "";
    }

    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();
    private readonly Lock _warning = new();
    private long _sinceWarning;
    private DateTimeOffset _nextWarning = DateTimeOffset.MinValue;

    /// <summary>Counts one refused delivery of an existing trigger.</summary>
    public void Add(Guid tenantId, Guid triggerId, string reason)
    {
        var now = time.GetUtcNow();
        var pending = _pending.GetOrAdd(triggerId, _ => new Pending { TenantId = tenantId });
        lock (pending)
        {
            pending.Count++;
            pending.LastAt = now.UtcDateTime;
            pending.LastReason = reason;
        }

        Log.Refused(logger, triggerId, reason);
        Interlocked.Increment(ref _sinceWarning);
        lock (_warning)
        {
            if (now < _nextWarning)
            {
                return;
            }

            _nextWarning = now + WarningEvery;
        }

        Log.RefusedSummary(logger, Interlocked.Exchange(ref _sinceWarning, 0));
    }

    /// <summary>Adds what was counted since the last flush to the store. Exposed so tests need not wait for a
    /// tick.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var triggerId in _pending.Keys)
        {
            if (!_pending.TryRemove(triggerId, out var pending))
            {
                continue;
            }

            long count;
            DateTime lastAt;
            string reason;
            lock (pending)
            {
                (count, lastAt, reason) = (pending.Count, pending.LastAt, pending.LastReason);
            }

            try
            {
                await log.AddRefusalsAsync(pending.TenantId, triggerId, count, lastAt, reason, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.FlushFailed(logger, triggerId, ex);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefusalFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last counts are flushed below.
        }

        await FlushAsync(CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3481,
            Level = LogLevel.Debug,
            Message = "Event trigger {TriggerId} refused a delivery: {Reason}"
        )]
        public static partial void Refused(ILogger logger, Guid triggerId, string reason);

        [LoggerMessage(
            EventId = 3482,
            Level = LogLevel.Warning,
            Message = "{Count} webhook deliveries refused (bad signature, stale timestamp or malformed headers) since "
                + "the last summary; details at Debug and in each trigger's refusal counter"
        )]
        public static partial void RefusedSummary(ILogger logger, long count);

        [LoggerMessage(
            EventId = 3483,
            Level = LogLevel.Error,
            Message = "The refused-delivery count of trigger {TriggerId} could not be stored; it is lost"
        )]
        public static partial void FlushFailed(ILogger logger, Guid triggerId, Exception exception);
    }
}
