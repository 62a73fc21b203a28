using System.Globalization;
using System.Text.Json;

namespace Skein.Server.Tests.Cluster;

/// <summary>
/// One SSE client of <c>/v1/runs/{runId}/stream</c> that records every event (id and subject) until the session
/// completed. When its node goes away it reconnects to the node alive then, resuming with Last-Event-ID, as a
/// real client does.
/// </summary>
internal sealed class SseRecorder(Guid runId, Func<Uri> node, string apiKey)
{
    private const string Completed = "engine.session.completed";
    private readonly List<(long Id, string Subject)> _events = [];

    public IReadOnlyList<(long Id, string Subject)> Events => _events;

    public int Connections { get; private set; }

    public async Task RunAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        var until = DateTime.UtcNow + deadline;
        while (_events.Count == 0 || _events[^1].Subject != Completed)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException(
                    $"the stream of run {runId} did not complete within {deadline.TotalSeconds:0} s; got "
                        + $"{_events.Count} events"
                );
            }

            try
            {
                await ReadAsync(client, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                // The node died under the stream: resume on the node that is alive now.
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private async Task ReadAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node(), $"/v1/runs/{runId}/stream"));
        if (_events.Count > 0)
        {
            request.Headers.Add("Last-Event-ID", _events[^1].Id.ToString(CultureInfo.InvariantCulture));
        }

        using var response = await client.SendAsync(
            request,
            HttpCompletionOption.ResponseHeadersRead,
            cancellationToken
        );
        response.EnsureSuccessStatusCode();
        Connections++;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        // One event per block (fields in any order: the formatter writes data before id); heartbeats have no id.
        long? id = null;
        string? subject = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Length > 6)
            {
                subject = JsonDocument.Parse(line[6..]).RootElement.GetProperty("subject").GetString() ?? "";
            }
            else if (line.Length == 0)
            {
                if (id is { } eventId && subject is not null)
                {
                    _events.Add((eventId, subject));
                    if (subject == Completed)
                    {
                        return;
                    }
                }

                (id, subject) = (null, null);
            }
        }
    }
}
