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
/// stream ends after <c>engine.session.completed</c>. Model text being generated on this node goes out as transient
/// <c>engine.step.delta</c> items without an id (<see cref="DeltaOrder"/>); output-only streams get none.
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
        // Deltas are steps: an output-only stream never subscribes to them.
        using var signals = notifier.Subscribe(sessionId, deltas: !redact);
        var deltas = new DeltaOrder();
        var taken = new List<SharedDelta>();
        var fromStore = true;
        var readEvents = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<StoredEvent>? shared = null;
            IReadOnlyList<StoredEvent> events = [];
            if (readEvents)
            {
                shared = fromStore ? null : signals.RecentAfter(last);
                events = shared ?? await reader.ReadAfterAsync(sessionId, last, cancellationToken);
            }

            // Taken after the read: every delta of a reasoning step just read is already here.
            signals.TakeDeltas(taken);
            deltas.Receive(taken);
            taken.Clear();
            foreach (var stored in events)
            {
                if (StepDelta.Ends(stored.Event, out var runId, out var iteration))
                {
                    foreach (var delta in deltas.Ready(stored.Sequence - 1))
                    {
                        yield return SseStream.Transient(StreamFrame.Delta(delta), StepDelta.Kind);
                    }

                    deltas.End(runId, iteration);
                }

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

            foreach (var delta in deltas.Ready(last))
            {
                yield return SseStream.Transient(StreamFrame.Delta(delta), StepDelta.Kind);
            }

            if (
                readEvents
                && shared is null
                && events.Count == 0
                && await IsFinishedAsync(sessionId, cancellationToken)
            )
            {
                await batch.SendAsync(cancellationToken);
                yield break;
            }

            signals.Seen(last);
            await batch.SendAsync(cancellationToken);
            fromStore = !await signals.WaitAsync(SseStream.Heartbeat, cancellationToken);
            if (fromStore && batch.HeartbeatDue)
            {
                yield return SseStream.Ping<byte[]>();
            }

            // A wake-up that brought only deltas reads no events.
            readEvents = fromStore || signals.TakeCommitSignal();
        }
    }

    private async Task<bool> IsFinishedAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await queries.StatusAsync(sessionId, cancellationToken) is { } status
        && Enum.TryParse<SessionStatus>(status, out var s)
        && SessionStatusMachine.IsTerminal(s);
}
