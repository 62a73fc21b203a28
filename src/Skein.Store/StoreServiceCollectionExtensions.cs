using Microsoft.Extensions.DependencyInjection;
using Skein.Store.Agents;
using Skein.Store.EventLog;
using Skein.Store.Leases;
using Skein.Store.Sessions;

namespace Skein.Store;

public static class StoreServiceCollectionExtensions
{
    /// <summary>Provider-neutral store services; called by each provider's <c>AddSkein*Store</c>.</summary>
    public static IServiceCollection AddSkeinStore(this IServiceCollection services)
    {
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<SessionEventNotifier>();
        services.AddSingleton<EventLogWriter>();
        services.AddSingleton<EventLogReader>();
        services.AddSingleton<AgentCatalog>();
        services.AddSingleton<RunQueries>();
        services.AddSingleton<SessionQueries>();
        services.AddSingleton<UserTaskQueries>();
        services.AddSingleton<WorkspaceSettings>();
        services.AddSingleton<TriggerQueries>();
        return services;
    }
}
