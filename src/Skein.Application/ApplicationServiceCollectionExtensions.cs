using Microsoft.Extensions.DependencyInjection;
using Skein.Application.Audit;

namespace Skein.Application;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>Registers every application service (singletons: each opens its own DbContext per call).</summary>
    public static IServiceCollection AddSkeinApplication(this IServiceCollection services)
    {
        services.AddSingleton<AuditTrail>();
        return services;
    }
}
