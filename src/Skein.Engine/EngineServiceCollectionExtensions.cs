using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Skein.Engine.Egress;
using Skein.Engine.Models;
using Skein.Engine.Runs;
using Skein.Engine.Sessions;
using Skein.Engine.Telemetry;
using Skein.Engine.Timers;
using Skein.Engine.Tools;
using Skein.Engine.Triggers;
using Skein.Store.Leases;

namespace Skein.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>The engine: run loop, dispatcher, recovery and timers. Needs a store registered first.</summary>
    public static IServiceCollection AddSkeinEngine(this IServiceCollection services)
    {
        services
            .AddOptions<EngineOptions>()
            .BindConfiguration(EngineOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<SkeinMetrics>();
        services.AddHostedService<StatusGauges>();
        services.AddSingleton<SessionCommands>();
        services.AddSingleton<SessionActions>();
        services.AddSingleton<SessionBulk>();
        services.AddSingleton<ModelClientFactory>();
        services.AddSingleton<ToolCatalog>();
        services.AddSingleton<ToolArgumentValidator>();
        services.AddSingleton<InputValidator>();
        services.AddSingleton<ModelCallInterrupts>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<RunStarter>();
        services.AddSingleton<RunDispatcher>();
        services
            .AddOptions<RunLeaseOptions>()
            .BindConfiguration(RunLeaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The supervisor before the dispatcher: hosted services stop in reverse order, so leases are given up after
        // the drivers stopped.
        services.AddSingleton<RunSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<RunSupervisor>());
        services.AddHostedService(sp => sp.GetRequiredService<RunDispatcher>());
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());

        services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.Section);

        // Model calls: retry transient failures (429, 5xx, timeouts) briefly (ModelRetry); then the run parks and its
        // timer tries again (ProviderBackoff). The per-call timeout is the engine's ModelCallTimeout.
        services
            .AddHttpClient(ModelClientFactory.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(EgressHandler)
            .AddResilienceHandler("models", (b, context) => b.AddRetry(ModelRetry.Options(context.ServiceProvider)));
        services
            .AddHttpClient(ToolCatalog.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(EgressHandler);

        // Only operations flagged idempotent are retried: repeating a non-idempotent call could act twice.
        services
            .AddHttpClient(ToolCatalog.IdempotentHttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(EgressHandler)
            .AddResilienceHandler("operations", (b, context) =>
                b.AddRetry(RetryLog.Options(context.ServiceProvider, "Tool"))
            );
        services.AddSingleton<ScheduleService>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleService>());
        services.AddSingleton<TriggerStarts>();
        services.AddSingleton<EventIngress>();
        services.AddSingleton<RefusedDeliveries>();
        services.AddHostedService(sp => sp.GetRequiredService<RefusedDeliveries>());
        services.AddSingleton<IngressRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<IngressRecorder>());
        services.AddSingleton<ProviderConnectionTest>();
        return services;
    }

    // Egress policy and no automatic redirects on every client that carries a credential out (tools, models).
    private static HttpMessageHandler EgressHandler(IServiceProvider sp) =>
        EgressHttpHandler.Create(sp.GetRequiredService<IOptions<EgressOptions>>().Value);
}
