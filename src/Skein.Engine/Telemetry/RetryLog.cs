using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Skein.Engine.Telemetry;

/// <summary>
/// The retry policy of model and idempotent tool calls, logging each failed attempt as one Warning line with its
/// reason (the exception and its stack trace only at Debug); Polly's own events are kept at Error and above.
/// </summary>
public static partial class RetryLog
{
    public static HttpRetryStrategyOptions Options(IServiceProvider services, string what)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Skein.Engine.Retries");
        return new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            OnRetry = args =>
            {
                var reason = args.Outcome.Exception is { } ex
                    ? ex.Message
                    : $"HTTP {(int?)args.Outcome.Result?.StatusCode} {args.Outcome.Result?.ReasonPhrase}";
                AttemptFailed(logger, what, args.AttemptNumber + 1, reason, args.RetryDelay);
                if (args.Outcome.Exception is { } detail)
                {
                    AttemptFailedDetail(logger, what, args.AttemptNumber + 1, detail);
                }

                return default;
            },
        };
    }

    [LoggerMessage(
        EventId = 3511,
        Level = LogLevel.Warning,
        Message = "{What} call attempt {Attempt} failed: {Reason}; retrying in {Delay}"
    )]
    private static partial void AttemptFailed(ILogger logger, string what, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3512, Level = LogLevel.Debug, Message = "{What} call attempt {Attempt} failed")]
    private static partial void AttemptFailedDetail(ILogger logger, string what, int attempt, Exception exception);
}
