using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Skein.Store.Agents;
using Skein.Store.EventLog;
using Skein.Store.Leases;
using Skein.Store.Secrets;
using Skein.Store.Sessions;
using Skein.Store.Triggers;

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
        services.AddSingleton<AgentDirectory>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunQueries>();
        services.AddSingleton<Usage.AgentCosts>();
        services.AddSingleton<SessionQueries>();
        services.AddSingleton<StatusTotals>();
        services.AddSingleton<SessionListPage>();
        services.AddSingleton<SessionChangeFeed>();
        services.AddSingleton<SessionPurge>();
        services.AddSingleton<UserTaskQueries>();
        services.AddSingleton<ToolFailureCounts>();
        services.AddSingleton<ShortIds>();
        services.AddSingleton<WorkspaceSettings>();
        services.AddSingleton<TriggerQueries>();
        services.AddSingleton<SecretStore>();
        services.AddSingleton<ScheduleClaims>();
        services.AddSingleton<IngressLog>();
        services.AddSingleton<ApiKeys.ApiKeyStore>();
        services.AddSingleton<Files.LibraryFiles>();
        services.AddSingleton<Idempotency.IdempotencyRecords>();
        services.AddSingleton<ServerSettings>();

        // Secrets need a key ring; the server points it at the data folder, hosts without one get the default.
        services.AddDataProtection();
        return services;
    }
}
