using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Skein.Core.Sessions;

namespace Skein.Store.EventLog;

/// <summary>
/// Appends session changes with group commit: appends from many sessions that arrive together share
/// one transaction, and every caller returns only after its own events and projection rows are
/// committed. A batch that fails is retried one append at a time, so one bad append fails alone.
/// </summary>
public sealed partial class EventLogWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly IDbContextFactory<SkeinDbContext> _contexts;
    private readonly IStoreDialect _dialect;
    private readonly ILogger<EventLogWriter> _logger;
    private readonly SessionEventNotifier _notifier;
    private readonly Channel<PreparedAppend> _queue = Channel.CreateBounded<PreparedAppend>(
        new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true }
    );

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _loop;
    private int _disposed;

    public EventLogWriter(
        IDbContextFactory<SkeinDbContext> contexts,
        IStoreDialect dialect,
        SessionEventNotifier notifier,
        ILogger<EventLogWriter> logger
    )
    {
        _contexts = contexts;
        _dialect = dialect;
        _notifier = notifier;
        _logger = logger;
    }

    /// <summary>Commits the change's events and the rows they fold to. Throws <see cref="StreamConflictException"/> on
    /// a lost race.</summary>
    public Task AppendAsync(SessionChange change, CancellationToken cancellationToken) =>
        AppendAsync(change, null, cancellationToken);

    /// <summary>
    /// As <see cref="AppendAsync(SessionChange, CancellationToken)"/>, committed only while <paramref name="fence"/>
    /// still holds: a run driver whose lease another node claimed gets <see cref="Leases.LeaseLostException"/>.
    /// </summary>
    public async Task AppendAsync(SessionChange change, Leases.RunLease? fence, CancellationToken cancellationToken)
    {
        if (change.Rejected)
        {
            throw new InvalidOperationException($"a rejected change cannot be appended: {change.Error}");
        }

        if (change.Events.Count == 0)
        {
            return;
        }

        var append = new PreparedAppend(change, _dialect) { Fence = fence };
        EnsureStarted();
        await _queue.Writer.WriteAsync(append, cancellationToken);

        // Once queued the append is committed or fails; a caller's cancellation cannot take it back.
        await append.Completion;
    }

    private void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var batch = new List<PreparedAppend>(MaxBatch);
        Writer? writer = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    writer ??= await Writer.OpenAsync(_contexts, _dialect, stopping);
                    await CommitAsync(writer, batch, stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // The connection itself failed: fail this batch and reconnect for the next one.
                    Log.WriterFailed(_logger, ex);
                    batch.ForEach(a => a.Fail(ex));
                    if (writer is not null)
                    {
                        await writer.DisposeAsync();
                        writer = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        finally
        {
            var stopped = new ObjectDisposedException(nameof(EventLogWriter));
            batch.ForEach(a => a.Fail(stopped));
            while (_queue.Reader.TryRead(out var left))
            {
                left.Fail(stopped);
            }

            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    private async Task CommitAsync(Writer writer, List<PreparedAppend> batch, CancellationToken stopping)
    {
        try
        {
            await writer.CommitAsync(batch, stopping);
            batch.ForEach(Committed);
            return;
        }
        catch (Exception ex) when (batch.Count > 1 && ex is not OperationCanceledException)
        {
            Log.BatchRetriedAlone(_logger, batch.Count, ex.Message);
        }

        foreach (var append in batch)
        {
            try
            {
                await writer.CommitAsync([append], stopping);
                Committed(append);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                append.Fail(
                    _dialect.IsUniqueViolation(ex)
                        ? new StreamConflictException(append.Session.Id, append.ExpectedVersion, ex)
                        : ex
                );
            }
        }
    }

    private void Committed(PreparedAppend append)
    {
        append.Succeed();
        _notifier.Publish(append.Session.Id, append.Stored);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }

    /// <summary>The writer's own long-lived connection and its prepared statements.</summary>
    private sealed class Writer : IAsyncDisposable
    {
        private readonly SkeinDbContext _db;
        private readonly DbConnection _connection;
        private readonly AppendCommands _commands;
        private readonly IStoreDialect _dialect;
        private readonly LeaseFence? _fence;
        private readonly bool _batched;

        private Writer(SkeinDbContext db, DbConnection connection, IStoreDialect dialect)
        {
            _db = db;
            _connection = connection;
            _commands = new AppendCommands(connection, dialect.SynchronousWriter, dialect.PositionalParameters);
            _dialect = dialect;
            _fence = dialect.FenceSql is { } fenceSql ? new LeaseFence(fenceSql, dialect.PositionalParameters) : null;

            // An embedded store (SQLite) has no round trips to save and no batch API: it keeps its prepared statements.
            _batched = connection.CanCreateBatch && !dialect.SynchronousWriter;
        }

        public static async Task<Writer> OpenAsync(
            IDbContextFactory<SkeinDbContext> contexts,
            IStoreDialect dialect,
            CancellationToken cancellationToken
        )
        {
            var db = await contexts.CreateDbContextAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(cancellationToken);
            await dialect.PrepareWriterConnectionAsync(connection, cancellationToken);
            return new Writer(db, connection, dialect);
        }

        public async Task CommitAsync(IReadOnlyList<PreparedAppend> batch, CancellationToken cancellationToken)
        {
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken);
            var counts = SessionCountDeltas.Rows(batch, new RowValues(_dialect));
            if (_batched)
            {
                // A client/server store: the fences in one round trip, every row in a second, the commit a third.
                if (_fence is not null)
                {
                    await _fence.CheckAllAsync(
                        [.. batch.Select(LeaseStep).OfType<LeaseFence.Step>()],
                        tx,
                        cancellationToken
                    );
                }

                await _commands.WriteBatchAsync(batch.SelectMany(a => a.Rows).Concat(counts), tx, cancellationToken);
            }
            else
            {
                foreach (var append in batch)
                {
                    if (_fence is not null && LeaseStep(append) is { } step)
                    {
                        await _fence.CheckAsync(step, tx, cancellationToken);
                    }

                    await _commands.WriteAsync(append.Rows, tx, cancellationToken);
                }

                await _commands.WriteAsync(counts, tx, cancellationToken);
            }

            await _dialect.BeforeCommitAsync(
                tx,
                [.. batch.Select(a => new CommittedStream(a.Session.Id, a.Session.Version))],
                cancellationToken
            );
            await tx.CommitAsync(cancellationToken);
        }

        /// <summary>The lease statement an append carries, if it is a run driver's on a store that fences.</summary>
        private static LeaseFence.Step? LeaseStep(PreparedAppend append) =>
            append.Fence is { Fenced: true } lease ? new LeaseFence.Step(lease, append.Session) : null;

        public async ValueTask DisposeAsync()
        {
            await _connection.CloseAsync();
            await _db.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Event log writer failed; reconnecting")]
        public static partial void WriterFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 2002,
            Level = LogLevel.Debug,
            Message = "A batch of {Count} appends failed ({Reason}); retrying each alone"
        )]
        public static partial void BatchRetriedAlone(ILogger logger, int count, string reason);
    }
}
