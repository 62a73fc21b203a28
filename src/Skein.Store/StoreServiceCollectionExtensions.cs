using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Skein.Store.Agents;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Store;

public static class StoreServiceCollectionExtensions
{
    /// <summary>Provider-neutral store services; called by each provider's <c>AddSkein*Store</c>.</summary>
    public static IServiceCollection AddSkeinStore(this IServiceCollection services)
    {
        services.AddSingleton<SessionEventNotifier>();
        services.AddSingleton<EventLogWriter>();
        services.AddSingleton<EventLogReader>();
        services.AddSingleton<AgentCatalog>();
        services.AddSingleton<AgentVersionCommands>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunQueries>();
        services.AddSingleton<SessionQueries>();
        services.AddSingleton<SessionListPage>();
        services.AddSingleton<SessionChangeFeed>();
        services.AddSingleton<UserTaskQueries>();
        services.AddSingleton<WorkspaceSettings>();
        services.AddSingleton<TriggerQueries>();
        return services;
    }
}
