using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Store.Rows;
using Skein.Store.Triggers;

namespace Skein.Engine.Triggers;

/// <summary>
/// Writes ingress entries of api-trigger starts off the request path: callers queue an entry (a bounded
/// channel, so a flood waits rather than drops) and one writer stores whatever has queued in one
/// transaction. The start-run latency stays that of the start itself.
/// </summary>
/// <remarks>
/// The writer lingers briefly after the first queued entry so a busy trigger's entries share a transaction:
/// on SQLite every transaction takes the one write lock the event log's group commit also needs, and one
/// transaction per start (200 a second) put that wait into the start latency.
/// </remarks>
public sealed partial class IngressRecorder(IngressLog log, ILogger<IngressRecorder> logger) : BackgroundService
{
    private const int MaxBatch = 256;

    /// <summary>How long entries may wait to share a transaction: the log is diagnostics, read by people.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    private readonly Channel<TriggerIngressRow> _queue = Channel.CreateBounded<TriggerIngressRow>(
        new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true }
    );

    public ValueTask RecordAsync(TriggerIngressRow entry, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(entry, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<TriggerIngressRow>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Linger, stoppingToken);
                await DrainAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: store what is already queued before the host goes.
            await DrainAsync(batch, CancellationToken.None);
        }
    }

    private async Task DrainAsync(List<TriggerIngressRow> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await log.AppendManyAsync(batch, cancellationToken);
            }
            catch (Exception ex)
                when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The log is diagnostics: losing a batch to a store outage must not stop later entries.
                Log.WriteFailed(logger, batch.Count, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3421,
            Level = LogLevel.Error,
            Message = "Could not store {Count} trigger ingress entries"
        )]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);
    }
}
