using System.Net;
using System.Text.Json;

namespace Skein.Server.Tests.Api;

/// <summary>One SSE event as sent: its id (null for transient events), kind, subject and data.</summary>
public sealed record SseFrame(long? Id, string Kind, string Subject, JsonElement Data, string Raw);

/// <summary>
/// Reads an SSE response event by event as it arrives (blocks split on a blank LF line, JSON in <c>data:</c>),
/// skipping heartbeats, so a test can act between two events.
/// </summary>
public sealed class SseEventReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseEventReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public List<SseFrame> Seen { get; } = [];

    public static async Task<SseEventReader> OpenAsync(
        HttpClient client,
        string path,
        long? lastEventId,
        CancellationToken cancellationToken
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new SseEventReader(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    /// <summary>The next event, or null when the stream ended.</summary>
    public async Task<SseFrame?> NextAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
                continue;
            }

            var data = string.Concat(
                lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].TrimStart())
            );
            if (data.Length == 0)
            {
                lines.Clear();
                continue;
            }

            var id = lines.SingleOrDefault(l => l.StartsWith("id:", StringComparison.Ordinal)) is { } idLine
                ? long.Parse(idLine[3..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
                : (long?)null;
            var json = JsonDocument.Parse(data).RootElement.Clone();
            var frame = new SseFrame(
                id,
                json.GetProperty("kind").GetString()!,
                json.GetProperty("subject").GetString()!,
                json.GetProperty("data"),
                string.Join('\n', lines)
            );
            Seen.Add(frame);
            return frame;
        }

        return null;
    }

    /// <summary>Reads until an event matches and returns it (failing when the stream ends first).</summary>
    public async Task<SseFrame> UntilAsync(Func<SseFrame, bool> match, CancellationToken cancellationToken)
    {
        while (await NextAsync(cancellationToken) is { } frame)
        {
            if (match(frame))
            {
                return frame;
            }
        }

        throw new Xunit.Sdk.XunitException("the stream ended before the expected event");
    }

    /// <summary>Reads to the end of the stream.</summary>
    public async Task<List<SseFrame>> RestAsync(CancellationToken cancellationToken)
    {
        var rest = new List<SseFrame>();
        while (await NextAsync(cancellationToken) is { } frame)
        {
            rest.Add(frame);
        }

        return rest;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
