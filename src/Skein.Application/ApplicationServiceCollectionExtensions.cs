using Microsoft.Extensions.DependencyInjection;
using Skein.Application.ApiKeys;
using Skein.Application.Audit;
using Skein.Application.Triggers;
using Skein.Application.Workspaces;

namespace Skein.Application;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>Registers every application service (singletons: each opens its own DbContext per call).</summary>
    public static IServiceCollection AddSkeinApplication(this IServiceCollection services)
    {
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<TriggerService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<WorkspaceSettingsService>();
        return services;
    }
}
