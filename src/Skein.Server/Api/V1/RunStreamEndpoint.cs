using System.Buffers;
using System.Globalization;
using Skein.Core.Events;
using Skein.Core.Redaction;
using Skein.Core.Sessions;
using Skein.Server.Auth;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Api.V1;

/// <summary>
/// <c>GET /v1/runs/{runId}/stream</c>: the whole session as SSE, replayed from the store and then live.
/// Each event's <c>id:</c> is its session event sequence, so <c>Last-Event-ID</c> resumes exactly. Events
/// are always read after the last id sent, so a slow client falls behind but never loses an event, and a
/// dropped connection resumes without gaps or duplicates. Live events come from the notifier's shared
/// tail when it holds all of them (one copy and one frame for every subscriber), otherwise from the store.
/// Framing is written by hand: the Phrony client needs LF-only separators and heartbeat comment lines.
/// </summary>
public static class RunStreamEndpoint
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapV1RunStream(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs/{runId}/stream", StreamAsync)
            .WithName("StreamRunEvents")
            .WithSummary("Server-sent events of the run's session: replay, then live; resumable with Last-Event-ID");
        return v1;
    }

    private static async Task StreamAsync(
        Guid runId,
        HttpContext http,
        V1Access access,
        EventLogReader reader,
        SessionQueries queries,
        SessionEventNotifier notifier,
        CancellationToken cancellationToken
    )
    {
        if (await access.RunAsync(ApiKeyAuthenticationHandler.Caller(http), runId, cancellationToken) is not { } found)
        {
            await V1Problems.NotFound("run", runId).ExecuteAsync(http);
            return;
        }

        var redact = await access.HidesTimelineAsync(found.Session.AgentId, cancellationToken);
        await StreamSessionAsync(http, found.Session.Id, redact, reader, queries, notifier, cancellationToken);
    }

    /// <summary>The SSE loop for one session, shared with the management API's stream (which never redacts).</summary>
    public static async Task StreamSessionAsync(
        HttpContext http,
        Guid sessionId,
        bool redact,
        EventLogReader reader,
        SessionQueries queries,
        SessionEventNotifier notifier,
        CancellationToken cancellationToken
    )
    {
        var resumeFrom = http.Request.Headers["Last-Event-ID"].FirstOrDefault()
            ?? http.Request.Query["lastEventId"].FirstOrDefault();
        long last = 0;
        if (
            resumeFrom is not null
            && (!long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < 0)
        )
        {
            await V1Problems.BadRequest("Last-Event-ID must be an event id sent by this stream").ExecuteAsync(http);
            return;
        }

        using var signals = notifier.Subscribe(sessionId);

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.Body.FlushAsync(cancellationToken);

        try
        {
            // Other nodes' commits are not signalled here: read the store first and after every quiet wait.
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

                    // Buffered, not sent: one flush (one send) per wake-up however many events it brought.
                    http.Response.BodyWriter.Write(frame.Utf8);
                    if (frame.Subject == StreamEventMapping.SessionCompleted)
                    {
                        await http.Response.BodyWriter.FlushAsync(cancellationToken);
                        return;
                    }
                }

                await http.Response.BodyWriter.FlushAsync(cancellationToken);
                if (shared is null && events.Count == 0 && await IsFinishedAsync(queries, sessionId, cancellationToken))
                {
                    return;
                }

                fromStore = !await signals.WaitAsync(Heartbeat, cancellationToken);
                if (fromStore)
                {
                    await http.Response.WriteAsync(": heartbeat\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
        }
    }

    private static async Task<bool> IsFinishedAsync(
        SessionQueries queries,
        Guid sessionId,
        CancellationToken cancellationToken
    )
    {
        var detail = await queries.StatusAsync(sessionId, cancellationToken);
        return detail is { } status
            && Enum.TryParse<SessionStatus>(status, out var s)
            && SessionStatusMachine.IsTerminal(s);
    }
}
