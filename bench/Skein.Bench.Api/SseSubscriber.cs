using System.Buffers.Text;

namespace Skein.Bench.Api;

/// <summary>
/// One SSE client on its own connection: records each event's id and its latency, receive time minus the
/// event's <c>ts</c> (server and client share the machine's clock). Reads until the server ends the stream.
/// Frames are parsed as bytes without allocating, so the driver takes as little CPU from the server as it can.
/// The record of events is sized up front for every event the run will bring (<paramref name="expectedEvents"/>):
/// a list that grew mid-run grew for all subscribers at once (a thousand 64-KB copies when the 1,025th event came),
/// and the driver's pause that followed counted as the server's latency.
/// </summary>
public sealed class SseSubscriber(int expectedEvents)
{
    private static readonly byte[] TsField = "\"ts\":\""u8.ToArray();
    private readonly List<(long Id, double LatencyMs, DateTimeOffset Ts)> _events = new(expectedEvents);
    private long _lastId;

    /// <summary>The last event id received; read by the driver while the stream runs.</summary>
    public long LastId => Interlocked.Read(ref _lastId);

    public IReadOnlyList<(long Id, double LatencyMs, DateTimeOffset Ts)> Events => _events;

    public string? Error { get; private set; }

    public async Task RunAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(
                path,
                HttpCompletionOption.ResponseHeadersRead,
                cancellationToken
            );
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[16 * 1024];
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                // Frames that arrive in one read arrived together: one clock reading for all of them.
                var received = DateTimeOffset.UtcNow;
                filled += read;
                var consumed = Frames(buffer.AsSpan(0, filled), received);
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or FormatException)
        {
            Error = ex.GetType().Name + ": " + ex.Message;
        }
    }

    /// <summary>Records every complete frame (<c>event: kind\ndata: {...}\nid: n\n\n</c>; heartbeats have empty data)
    /// and returns the bytes used.</summary>
    private int Frames(ReadOnlySpan<byte> data, DateTimeOffset received)
    {
        var consumed = 0;
        int end;
        while ((end = data[consumed..].IndexOf("\n\n"u8)) >= 0)
        {
            var frame = data.Slice(consumed, end);
            consumed += end + 2;
            long id = 0;
            DateTimeOffset? ts = null;
            foreach (var range in frame.Split((byte)'\n'))
            {
                var line = frame[range];
                if (line.StartsWith("id: "u8))
                {
                    id = Utf8Parser.TryParse(line[4..], out long value, out _)
                        ? value
                        : throw new FormatException("bad id line");
                }
                else if (line.StartsWith("data: "u8) && line.Length > 6)
                {
                    ts = Ts(line);
                }
            }

            // Transient events (step deltas) carry no id: they are not part of the stored stream this measures.
            if (ts is { } sent && id > 0)
            {
                _events.Add((id, (received - sent).TotalMilliseconds, sent));
                Interlocked.Exchange(ref _lastId, id);
            }
        }

        return consumed;
    }

    /// <summary>The frame's <c>ts</c>, found without parsing the whole JSON (the server writes it first).</summary>
    private static DateTimeOffset Ts(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOf(TsField);
        var value = at < 0 ? default : line[(at + TsField.Length)..];
        var close = value.IndexOf((byte)'"');
        return close > 0 && Utf8Parser.TryParse(value[..close], out DateTimeOffset ts, out _, 'O')
            ? ts
            : throw new FormatException("no ts in a data line");
    }
}
