using System.Diagnostics;
using System.Globalization;

namespace Skein.Server.Dashboard;

/// <summary>
/// Adds <c>Server-Timing: total;dur=…</c> to dashboard pages: the time from the request reaching the app to
/// the response starting. Razor renders a page into a buffer before the first byte goes out, so this covers
/// the queries and the rendering (the bench reads it; browsers show it in their network tools).
/// </summary>
public static class ServerTiming
{
    public static IApplicationBuilder UseDashboardServerTiming(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                var path = context.Request.Path;
                if (
                    path.StartsWithSegments("/api")
                    || path.StartsWithSegments("/v1")
                    || path.StartsWithSegments("/dashboard")
                )
                {
                    await next(context);
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                context.Response.OnStarting(() =>
                {
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    context.Response.Headers.Append(
                        "Server-Timing",
                        "total;dur=" + ms.ToString("0.0", CultureInfo.InvariantCulture)
                    );
                    return Task.CompletedTask;
                });
                await next(context);
            }
        );
}
