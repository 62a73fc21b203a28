using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Server.Sse;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Live;

/// <summary>
/// The pending user tasks, live: the navigation's count and the Approvals list follow it. Every commit wakes the
/// feed (tasks are written with their session's events), which then reads the count; it sends only when the count
/// or the newest task changed. A reconnect simply reads again: the state is small, so nothing needs resuming.
/// </summary>
public static class TaskFeedEndpoints
{
    public static IEndpointRouteBuilder MapDashboardTaskFeed(this RouteGroupBuilder live)
    {
        live.MapGet("/tasks", Pending)
            .WithName("DashboardLiveTasks")
            .WithSummary("The pending user tasks' count and newest task, each time they change");
        return live;
    }

    private static ServerSentEventsResult<PendingTasks?> Pending(
        HttpContext http,
        SessionQueries sessions,
        UserTaskQueries tasks,
        SessionEventNotifier notifier,
        TimeProvider time
    ) => SseStream.Write(http, batch => Changes(batch, sessions, tasks, notifier, time, http.RequestAborted));

    private static async IAsyncEnumerable<SseItem<PendingTasks?>> Changes(
        SseBatchStream sse,
        SessionQueries sessions,
        UserTaskQueries tasks,
        SessionEventNotifier notifier,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var wake = notifier.SubscribeAll();
        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        PendingTasks? sent = null;
        long position = 0;
        yield return new SseItem<PendingTasks?>(null, "ready");
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = await tasks.PendingAsync(tenant, cancellationToken);
            var changed = now != sent;
            if (changed)
            {
                sent = now;
                yield return SseStream.Item<PendingTasks?>(now, "pending", ++position);
            }

            await sse.SendAsync(cancellationToken);
            if (changed)
            {
                // Under a burst of commits, read at most a few times a second (as the sessions feed does).
                await Task.Delay(LiveEndpoints.Coalesce, time, cancellationToken);
            }

            if (!await wake.WaitAsync(LiveEndpoints.Poll, cancellationToken) && sse.HeartbeatDue)
            {
                yield return SseStream.Ping<PendingTasks?>();
            }
        }
    }
}
