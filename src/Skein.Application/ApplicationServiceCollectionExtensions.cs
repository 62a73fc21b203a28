using Microsoft.Extensions.DependencyInjection;
using Skein.Application.Agents;
using Skein.Application.ApiKeys;
using Skein.Application.Audit;
using Skein.Application.Integrations;
using Skein.Application.Manifests;
using Skein.Application.Providers;
using Skein.Application.Secrets;
using Skein.Application.Triggers;
using Skein.Application.Users;
using Skein.Application.Versions;
using Skein.Application.Workspaces;

namespace Skein.Application;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>Registers every application service (singletons: each opens its own DbContext per call).</summary>
    public static IServiceCollection AddSkeinApplication(this IServiceCollection services)
    {
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AgentService>();
        services.AddSingleton<VersionService>();
        services.AddSingleton<ProviderService>();
        services.AddSingleton<IntegrationService>();
        services.AddSingleton<SecretService>();
        services.AddSingleton<ManifestApply>();
        services.AddSingleton<TriggerService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<WorkspaceSettingsService>();
        services.AddSingleton<UserService>();
        return services;
    }
}
