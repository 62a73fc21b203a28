using Skein.Engine.Telemetry;

namespace Skein.Server.Sse;

/// <summary>
/// Ties a stream to the server's life: the request's abort token also fires when the host starts stopping, so
/// SIGTERM ends every open stream at once (clients reconnect elsewhere with <c>Last-Event-ID</c>) instead of holding
/// shutdown for its whole timeout; and the stream counts in <c>skein.sse.subscribers</c> while it is open.
/// </summary>
public static class SseLifetime
{
    public static void Attach(HttpContext http)
    {
        var services = http.RequestServices;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        http.RequestAborted = linked.Token;
        var metrics = services.GetService<SkeinMetrics>();
        metrics?.SseSubscriber(1);
        http.Response.RegisterForDispose(new Release(linked, metrics));
    }

    private sealed class Release(CancellationTokenSource linked, SkeinMetrics? metrics) : IDisposable
    {
        public void Dispose()
        {
            metrics?.SseSubscriber(-1);
            linked.Dispose();
        }
    }
}
