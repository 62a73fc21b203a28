using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Live;

/// <summary>The navigation's count of pending user tasks when a page renders (then kept live by
/// <see cref="TaskFeedEndpoints"/>).</summary>
public static class PendingCount
{
    public static async Task<int> OfAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var services = http.RequestServices;
        var tenant = await services.GetRequiredService<SessionQueries>().DefaultTenantAsync(cancellationToken);
        var pending = await services.GetRequiredService<UserTaskQueries>().PendingAsync(tenant, cancellationToken);
        return pending.Count;
    }
}
