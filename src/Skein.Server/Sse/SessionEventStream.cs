using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core.Events;
using Skein.Core.Redaction;
using Skein.Core.Sessions;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Sse;

/// <summary>
/// A session's events as SSE, replayed from the store and then live: <c>/v1/runs/{runId}/stream</c> (redacted for
/// output-only triggers) and the admin run stream. Each item's id is the session event sequence and its event type
/// the event's kind; the data is one JSON object <c>{ts, kind, subject, data}</c> (SPEC section 4). Events are always
/// read after the last id sent, so a slow client falls behind but never loses one. Live events come from the
/// notifier's shared tail when it holds all of them (serialized once for every subscriber), otherwise from the
/// store; other nodes' commits are not signalled, so the store is read first and after every quiet wait. The
/// stream ends after <c>engine.session.completed</c>.
/// </summary>
public sealed class SessionEventStream(EventLogReader reader, SessionQueries queries, SessionEventNotifier notifier)
{
    public ServerSentEventsResult<byte[]> Write(HttpContext http, Guid sessionId, long after, bool redact) =>
        SseStream.Write(http, batch => EventsAsync(batch, sessionId, after, redact, http.RequestAborted));

    private async IAsyncEnumerable<SseItem<byte[]>> EventsAsync(
        SseBatchStream batch,
        Guid sessionId,
        long last,
        bool redact,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var signals = notifier.Subscribe(sessionId);
        var fromStore = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            var shared = fromStore ? null : signals.RecentAfter(last);
            var events = shared ?? await reader.ReadAfterAsync(sessionId, last, cancellationToken);
            foreach (var stored in events)
            {
                last = stored.Sequence;
                var frame = shared is null
                    ? StreamFrame.Create(sessionId, stored)
                    : StreamFrame.Share(sessionId, stored);
                if (redact && !OutputOnlyRedaction.KeepsStreamEvent(frame.Kind, frame.Subject))
                {
                    continue;
                }

                yield return SseStream.Item(frame.Json, frame.Kind, frame.Id);
                if (frame.Subject == StreamEventMapping.SessionCompleted)
                {
                    await batch.SendAsync(cancellationToken);
                    yield break;
                }
            }

            if (shared is null && events.Count == 0 && await IsFinishedAsync(sessionId, cancellationToken))
            {
                await batch.SendAsync(cancellationToken);
                yield break;
            }

            await batch.SendAsync(cancellationToken);
            fromStore = !await signals.WaitAsync(SseStream.Heartbeat, cancellationToken);
            if (fromStore && batch.HeartbeatDue)
            {
                yield return SseStream.Ping<byte[]>();
            }
        }
    }

    private async Task<bool> IsFinishedAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await queries.StatusAsync(sessionId, cancellationToken) is { } status
        && Enum.TryParse<SessionStatus>(status, out var s)
        && SessionStatusMachine.IsTerminal(s);
}
