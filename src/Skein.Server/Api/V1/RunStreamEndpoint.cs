using System.Globalization;
using System.Text.Json.Nodes;
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
/// are always read from the store after the last id sent, so a slow client falls behind but never
/// loses an event, and a dropped connection resumes without gaps or duplicates.
/// Framing is written by hand: the Phrony client needs LF-only separators and heartbeat comment lines.
/// </summary>
public static class RunStreamEndpoint
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapV1RunStream(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs/{runId}/stream", StreamAsync).WithName("StreamRunEvents")
            .WithSummary("Server-sent events of the run's session: replay, then live; resumable with Last-Event-ID");
        return v1;
    }

    private static async Task StreamAsync(
        Guid runId, HttpContext http, V1Access access, EventLogReader reader, SessionQueries queries, SessionEventNotifier notifier,
        CancellationToken cancellationToken)
    {
        if (await access.RunAsync(ApiKeyAuthenticationHandler.Caller(http), runId, cancellationToken) is not { } found)
        {
            await V1Problems.NotFound("run", runId).ExecuteAsync(http);
            return;
        }

        var resumeFrom = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault();
        long last = 0;
        if (resumeFrom is not null && (!long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < 0))
        {
            await V1Problems.BadRequest("Last-Event-ID must be an event id sent by this stream").ExecuteAsync(http);
            return;
        }

        var sessionId = found.Session.Id;
        var redact = await access.HidesTimelineAsync(found.Session.AgentId, cancellationToken);
        using var signals = notifier.Subscribe(sessionId);

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.Body.FlushAsync(cancellationToken);

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var events = await reader.ReadAfterAsync(sessionId, last, cancellationToken);
                foreach (var (sequence, e) in events)
                {
                    last = sequence;
                    var view = StreamEventMapping.Map(sessionId, e);
                    if (redact && !OutputOnlyRedaction.KeepsStreamEvent(view.Kind, view.Subject))
                    {
                        continue;
                    }

                    await http.Response.WriteAsync(Frame(sequence, view), cancellationToken);
                    if (view.Subject == StreamEventMapping.SessionCompleted)
                    {
                        await http.Response.Body.FlushAsync(cancellationToken);
                        return;
                    }
                }

                await http.Response.Body.FlushAsync(cancellationToken);
                if (events.Count == 0 && await IsFinishedAsync(queries, sessionId, cancellationToken))
                {
                    return;
                }

                if (!await signals.WaitAsync(Heartbeat, cancellationToken))
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

    public static string Frame(long sequence, StreamEventView view)
    {
        var json = new JsonObject
        {
            ["ts"] = view.Ts.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["kind"] = view.Kind,
            ["subject"] = view.Subject,
            ["data"] = view.Data,
        };
        return $"id: {sequence}\ndata: {json.ToJsonString()}\n\n";
    }

    private static async Task<bool> IsFinishedAsync(SessionQueries queries, Guid sessionId, CancellationToken cancellationToken)
    {
        var detail = await queries.StatusAsync(sessionId, cancellationToken);
        return detail is { } status && Enum.TryParse<SessionStatus>(status, out var s) && SessionStatusMachine.IsTerminal(s);
    }
}
