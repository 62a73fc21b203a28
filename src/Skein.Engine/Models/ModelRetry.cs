using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Skein.Engine.Telemetry;

namespace Skein.Engine.Models;

/// <summary>
/// The short in-process retry of model calls (429, 5xx, timeouts): <see cref="EngineOptions.ModelRetryAttempts"/>
/// tries, waiting the provider's <c>Retry-After</c> or an exponential back-off. A provider asking for a longer wait
/// than <see cref="EngineOptions.ModelRetryMaxDelay"/> is not waited for here: the run parks instead (see
/// <see cref="Core.Runs.ProviderBackoff"/>).
/// </summary>
public static class ModelRetry
{
    public static HttpRetryStrategyOptions Options(IServiceProvider services)
    {
        var engine = services.GetRequiredService<IOptions<EngineOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var options = RetryLog.Options(services, "Model");
        var attempts = engine.ModelRetryAttempts;
        options.MaxRetryAttempts = Math.Max(1, attempts);
        options.Delay = engine.ModelRetryDelay;
        options.MaxDelay = engine.ModelRetryMaxDelay;
        options.ShouldHandle = args =>
            ValueTask.FromResult(
                attempts > 0
                    && HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && !(
                        args.Outcome.Result is { } response
                        && ProviderFault.RetryAfterOf(response, time.GetUtcNow()) > engine.ModelRetryMaxDelay
                    )
            );
        return options;
    }
}
