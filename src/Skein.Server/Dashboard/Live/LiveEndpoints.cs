using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Skein.Server.Dashboard.Auth;
using Skein.Server.Dashboard.Sessions;
using Skein.Store;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Live;

/// <summary>
/// Server-sent events that keep dashboard pages live. Both feeds read the store after the position they
/// last sent (the SSE id), and the notifier only wakes them, so a missed wake-up or a reconnect with
/// Last-Event-ID loses nothing.
/// </summary>
public static class LiveEndpoints
{
    /// <summary>Quiet connections still poll this often: catches other nodes' commits and closes gaps.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Least time between two reads of a busy feed: under heavy traffic every commit wakes the reader, so
    /// this bounds each open dashboard to a few queries a second; the changes in between come together.
    /// </summary>
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(200);

    private const int Batch = 500;

    /// <summary>Quiet polls between keep-alive events (about 14 s), so proxies don't drop idle streams.</summary>
    private const int IdlePolls = 7;

    public static IEndpointRouteBuilder MapDashboardLive(this IEndpointRouteBuilder app)
    {
        var live = app.MapGroup("/dashboard/live").RequireAuthorization(DashboardAuth.Policy).ExcludeFromDescription();
        live.MapGet(
            "/sessions",
            (
                HttpContext http,
                long? after,
                SessionChangeFeed feed,
                SessionQueries queries,
                IDbContextFactory<SkeinDbContext> contexts,
                SessionEventNotifier notifier,
                TimeProvider time,
                CancellationToken cancellationToken
            ) =>
                TypedResults.ServerSentEvents(
                    Rows(Resume(http, after), feed, queries, contexts, notifier, time, cancellationToken)
                )
        );
        live.MapGet(
            "/sessions/{sessionId:guid}",
            (
                Guid sessionId,
                HttpContext http,
                long? after,
                SessionQueries queries,
                SessionEventNotifier notifier,
                CancellationToken cancellationToken
            ) =>
                TypedResults.ServerSentEvents(
                    Versions(sessionId, Resume(http, after), queries, notifier, cancellationToken)
                )
        );
        return app;
    }

    /// <summary>The browser's Last-Event-ID after a reconnect wins over the position the page was rendered
    /// at.</summary>
    private static long Resume(HttpContext http, long? after) =>
        long.TryParse(http.Request.Headers["Last-Event-ID"], out var last) ? last : after ?? 0;

    /// <summary>Every session that changed (new, status, tokens) after the position, as its rendered row.</summary>
    private static async IAsyncEnumerable<SseItem<LiveRow?>> Rows(
        long start,
        SessionChangeFeed feed,
        SessionQueries queries,
        IDbContextFactory<SkeinDbContext> contexts,
        SessionEventNotifier notifier,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var wake = notifier.SubscribeAll();
        var tenant = await queries.DefaultTenantAsync(cancellationToken);
        var position = new FeedPosition(start, time);
        var idle = 0;

        // Sent first so the browser sees the stream open (headers flush with the first event).
        yield return new SseItem<LiveRow?>(null, "ready");
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await feed.ReadAfterAsync(tenant, position.Value, Batch, cancellationToken);
            position.Advance(batch.Sequences);
            if (batch.Sessions.Count > 0)
            {
                var names = await AgentNames.LoadAsync(contexts, cancellationToken);
                var now = time.GetUtcNow().UtcDateTime;
                foreach (var row in batch.Sessions.OrderBy(s => s.StartedAt))
                {
                    var view = SessionRowView.From(row, names);
                    yield return new SseItem<LiveRow?>(
                        new LiveRow(view.Id, view.AgentId, view.Status, SessionRowHtml.Render(view, now)),
                        "session"
                    )
                    {
                        EventId = position.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    };
                }
            }

            if (batch.Sequences.Count > 0)
            {
                await Task.Delay(Coalesce, time, cancellationToken);
            }

            if (
                batch.Sequences.Count < Batch
                && !await wake.WaitAsync(Poll, cancellationToken)
                && ++idle % IdlePolls == 0
            )
            {
                yield return new SseItem<LiveRow?>(null, "ping");
            }
        }
    }

    /// <summary>The session's stream version each time it grows; ends once the session has finished.</summary>
    private static async IAsyncEnumerable<SseItem<LiveVersion?>> Versions(
        Guid sessionId,
        long start,
        SessionQueries queries,
        SessionEventNotifier notifier,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var wake = notifier.Subscribe(sessionId);
        var sent = start;
        var idle = 0;
        yield return new SseItem<LiveVersion?>(null, "ready");
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await queries.VersionAsync(sessionId, cancellationToken) is not { } current)
            {
                yield break;
            }

            if (current.Version > sent)
            {
                sent = current.Version;
                yield return new SseItem<LiveVersion?>(new LiveVersion(current.Version, current.Status), "version")
                {
                    EventId = sent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            }

            if (!await wake.WaitAsync(Poll, cancellationToken) && ++idle % IdlePolls == 0)
            {
                yield return new SseItem<LiveVersion?>(null, "ping");
            }
        }
    }

    public sealed record LiveRow(Guid Id, Guid AgentId, string Status, string Html);

    public sealed record LiveVersion(long Version, string Status);
}
