using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core;

namespace Skein.Server.Sse;

/// <summary>
/// The one SSE writer of every stream Skein serves (the <c>/v1</c> and admin run streams, the dashboard's live
/// feeds), on top of <see cref="TypedResults.ServerSentEvents{T}(IAsyncEnumerable{SseItem{T}})"/>, which writes LF
/// framing. Its rules, in one place:
/// <list type="bullet">
/// <item>Resume: the <c>Last-Event-ID</c> header, else the route's query position, else 0; anything but a
/// non-negative integer is a 400. An item's id is its store position, so resuming restarts exactly after it.</item>
/// <item>Heartbeat: after <see cref="Heartbeat"/> with nothing sent, a <c>ping</c> event with empty data (which
/// EventSource and the Phrony client skip), so proxies keep idle streams open.</item>
/// <item>Batching: items are buffered and sent together when the feed is about to wait (<see cref="SseBatchStream"/>),
/// one send per wake-up however many events it brought.</item>
/// </list>
/// </summary>
public static class SseStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public const string PingEvent = "ping";

    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>The position after which a stream starts: <c>Last-Event-ID</c> wins over the query's value.</summary>
    public static Result<long> ResumePosition(HttpRequest request, string? queryPosition)
    {
        var raw = request.Headers[LastEventIdHeader].FirstOrDefault() is { Length: > 0 } header
            ? header
            : queryPosition;
        if (raw is null)
        {
            return 0L;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? last
            : DomainError.Invalid("Last-Event-ID must be an event id sent by this stream");
    }

    /// <summary>A stored item: its id is the store position a client resumes after.</summary>
    public static SseItem<T> Item<T>(T data, string eventType, long position) =>
        new(data, eventType) { EventId = position.ToString(CultureInfo.InvariantCulture) };

    /// <summary>As <see cref="Item{T}(T, string, long)"/> with the position already formatted (shared frames format it
    /// once for every subscriber).</summary>
    public static SseItem<T> Item<T>(T data, string eventType, string position) =>
        new(data, eventType) { EventId = position };

    /// <summary>A transient item (a step delta): no id, so it is never a resume position and never replayed.</summary>
    public static SseItem<T> Transient<T>(T data, string eventType) => new(data, eventType);

    /// <summary>The heartbeat: no id (resuming is unaffected), empty data.</summary>
    public static SseItem<T> Ping<T>() => new(default!, PingEvent);

    /// <summary>Starts the response of a feed: the writer's batch (see <see cref="SseBatchStream"/>) and the
    /// result.</summary>
    public static ServerSentEventsResult<T> Write<T>(
        HttpContext http,
        Func<SseBatchStream, IAsyncEnumerable<SseItem<T>>> feed
    )
    {
        SseLifetime.Attach(http);
        var batch = SseBatchStream.Open(http);
        return TypedResults.ServerSentEvents(feed(batch));
    }
}

/// <summary>
/// The response body of a stream, buffered until the feed sends: the formatter writes each item as it comes, and
/// the feed calls <see cref="SendAsync"/> before it waits, so a burst of events costs one send per subscriber.
/// It also tracks when the last item went out, for the heartbeat.
/// </summary>
public sealed class SseBatchStream : Stream
{
    private readonly PipeWriter _body;
    private readonly TimeProvider _time;
    private long _lastSent;

    private SseBatchStream(PipeWriter body, TimeProvider time)
    {
        _body = body;
        _time = time;
        _lastSent = time.GetTimestamp();
    }

    public static SseBatchStream Open(HttpContext http)
    {
        // Reverse proxies (nginx) must not buffer the stream either.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var batch = new SseBatchStream(
            http.Response.BodyWriter,
            http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System
        );
        http.Response.Body = batch;
        return batch;
    }

    /// <summary>True when nothing was sent for about <see cref="SseStream.Heartbeat"/> (a wait of exactly that long
    /// counts, whatever the timer's precision): the feed yields a ping.</summary>
    public bool HeartbeatDue => _time.GetElapsedTime(_lastSent) >= SseStream.Heartbeat * 0.9;

    /// <summary>Sends what the formatter has written since the last send.</summary>
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        await _body.FlushAsync(cancellationToken);
        _lastSent = _time.GetTimestamp();
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer) => _body.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => _body.Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _body.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _body.Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => SendAsync(cancellationToken).AsTask();

    public override void Flush() => SendAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
