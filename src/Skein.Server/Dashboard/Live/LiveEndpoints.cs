using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Server.Dashboard.Auth;
using Skein.Server.Dashboard.Sessions;
using Skein.Server.Sse;
using Skein.Store.Agents;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Live;

/// <summary>
/// Server-sent events that keep dashboard pages live, written by <see cref="SseStream"/> (its resume and heartbeat
/// rules). Both feeds read the store after the position they last sent (the SSE id), and the notifier only wakes
/// them, so a missed wake-up or a reconnect with Last-Event-ID loses nothing.
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

    public static IEndpointRouteBuilder MapDashboardLive(this IEndpointRouteBuilder app)
    {
        var live = app.MapGroup("/dashboard/live").RequireAuthorization(DashboardAuth.Policy).ExcludeFromDescription();
        live.MapGet("/sessions", SessionsAsync).WithName("DashboardLiveSessions").WithSummary("Changed session rows");
        live.MapGet("/sessions/{sessionId:guid}", SessionAsync)
            .WithName("DashboardLiveSession")
            .WithSummary("The session's stream version each time it grows");
        live.MapDashboardTaskFeed();
        return app;
    }

    private static async Task<Results<ServerSentEventsResult<LiveRow?>, ProblemHttpResult>> SessionsAsync(
        HttpContext http,
        string? after,
        SessionChangeFeed feed,
        SessionQueries queries,
        AgentDirectory agents,
        SessionEventNotifier notifier,
        TimeProvider time,
        ToolFailureCounts failures,
        SessionListPage list,
        CancellationToken cancellationToken
    )
    {
        var resume = SseStream.ResumePosition(http.Request, after);
        if (!resume.IsSuccess)
        {
            return Problems.From(resume.Error);
        }

        // The list's own filter (q, status, agentId, triggerType, from, to, tag, as in its URL) decides which new
        // sessions its rows take in.
        var criteria = SessionFilters.Read(http.Request.Query).Criteria();
        if (!criteria.IsSuccess)
        {
            return Problems.From(criteria.Error);
        }

        var tenant = await queries.DefaultTenantAsync(cancellationToken);
        var readers = new RowReaders(agents, failures, queries, list, criteria.Value.IsEmpty ? null : criteria.Value);
        return SseStream.Write(http, batch =>
            Rows(batch, tenant, resume.Value, feed, readers, notifier, time, http.RequestAborted)
        );
    }

    private static Results<ServerSentEventsResult<object?>, ProblemHttpResult> SessionAsync(
        Guid sessionId,
        HttpContext http,
        string? after,
        SessionQueries queries,
        SessionEventNotifier notifier
    )
    {
        var resume = SseStream.ResumePosition(http.Request, after);
        return resume.IsSuccess
            ? SseStream.Write(http, batch =>
                Versions(batch, sessionId, resume.Value, queries, notifier, http.RequestAborted)
            )
            : Problems.From(resume.Error);
    }

    /// <summary>Every session that changed (new, status, tokens) after the position, as its rendered row, and whether
    /// the list's filter matches it.</summary>
    private static async IAsyncEnumerable<SseItem<LiveRow?>> Rows(
        SseBatchStream sse,
        Guid tenant,
        long start,
        SessionChangeFeed feed,
        RowReaders readers,
        SessionEventNotifier notifier,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var wake = notifier.SubscribeAll();
        var position = new FeedPosition(start, time);

        // Sent first so the browser sees the stream open (headers go out with the first send).
        yield return new SseItem<LiveRow?>(null, "ready");
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await feed.ReadAfterAsync(tenant, position.Value, Batch, cancellationToken);
            position.Advance(batch.Sequences);
            if (batch.Sessions.Count > 0)
            {
                var names = await readers.Agents.NamesAsync(cancellationToken);
                var now = time.GetUtcNow().UtcDateTime;
                var waiting = await readers.Queries.ChildrenWaitingOnPersonAsync(batch.Sessions, cancellationToken);
                var views = await SessionRowView.WithFailuresAsync(
                    [
                        .. batch
                            .Sessions.OrderBy(s => s.StartedAt)
                            .Select(row => SessionRowView.From(row, names, waiting)),
                    ],
                    readers.Failures,
                    cancellationToken
                );
                var matching = readers.Criteria is { } criteria
                    ? await readers.List.MatchingAmongAsync(
                        tenant,
                        criteria,
                        [.. batch.Sessions.Select(s => s.Id)],
                        cancellationToken
                    )
                    : null;
                foreach (var view in views)
                {
                    var matches = matching?.Contains(view.Id) ?? true;
                    yield return SseStream.Item<LiveRow?>(
                        new LiveRow(view.Id, view.AgentId, view.Status, SessionRowHtml.Render(view, now), matches),
                        "session",
                        position.Value
                    );
                }
            }

            await sse.SendAsync(cancellationToken);
            if (batch.Sequences.Count > 0)
            {
                await Task.Delay(Coalesce, time, cancellationToken);
            }

            if (batch.Sequences.Count < Batch && !await wake.WaitAsync(Poll, cancellationToken) && sse.HeartbeatDue)
            {
                yield return SseStream.Ping<LiveRow?>();
            }
        }
    }

    /// <summary>
    /// The session's stream version each time it grows, and the model text being generated as <c>delta</c> items
    /// (transient, no id: the page shows them until the committed step arrives); ends once the session has finished.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<object?>> Versions(
        SseBatchStream sse,
        Guid sessionId,
        long start,
        SessionQueries queries,
        SessionEventNotifier notifier,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var wake = notifier.Subscribe(sessionId, deltas: true);
        var sent = start;
        var read = true;
        yield return new SseItem<object?>(null, "ready");
        while (!cancellationToken.IsCancellationRequested)
        {
            if (read)
            {
                if (await queries.VersionAsync(sessionId, cancellationToken) is not { } current)
                {
                    await sse.SendAsync(cancellationToken);
                    yield break;
                }

                if (current.Version > sent)
                {
                    sent = current.Version;
                    yield return SseStream.Item<object?>(
                        new LiveVersion(current.Version, current.Status),
                        "version",
                        sent
                    );
                }
            }

            foreach (var shared in wake.TakeDeltas())
            {
                var d = shared.Delta;
                yield return SseStream.Transient<object?>(
                    new LiveDelta(d.RunId, d.Iteration, d.Index, d.Text),
                    "delta"
                );
            }

            await sse.SendAsync(cancellationToken);
            var woke = await wake.WaitAsync(Poll, cancellationToken);
            if (!woke && sse.HeartbeatDue)
            {
                yield return SseStream.Ping<object?>();
            }

            // A wake-up that brought only model text needs no query.
            read = !woke || wake.TakeCommitSignal();
        }
    }

    /// <summary>What a row of the live feed is rendered from besides the session: agent names, failed tool
    /// calls; and the list's filter (null: none) that new rows must match.</summary>
    private sealed record RowReaders(
        AgentDirectory Agents,
        ToolFailureCounts Failures,
        SessionQueries Queries,
        SessionListPage List,
        Core.Sessions.SessionCriteria? Criteria
    );

    /// <summary>A changed session's row; <c>Matches</c> says whether the list's filter matches it now (a list adds a
    /// new row only then).</summary>
    public sealed record LiveRow(Guid Id, Guid AgentId, string Status, string Html, bool Matches);

    public sealed record LiveVersion(long Version, string Status);

    public sealed record LiveDelta(Guid RunId, int Iteration, int Index, string Text);
}
