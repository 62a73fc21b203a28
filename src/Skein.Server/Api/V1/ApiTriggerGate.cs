using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Store.Agents;

namespace Skein.Server.Api.V1;

/// <summary>
/// Admission for starts through an api trigger: IP allowlist (403, <see cref="TriggerRules.AllowlistAdmits"/>),
/// requests per minute (429 with Retry-After, a fixed one-minute window per trigger on this node) and max
/// concurrent runs (429).
/// </summary>
public sealed class ApiTriggerGate(TriggerQueries triggers)
{
    private readonly ConcurrentDictionary<(Guid TriggerId, int Rpm), FixedWindowRateLimiter> _limiters = new();

    /// <summary>Why a start was not admitted, and when to try again for a limit.</summary>
    public sealed record Refusal(DomainError Error, TimeSpan? RetryAfter = null);

    public async Task<Refusal?> AdmitAsync(
        Guid triggerId,
        ApiTriggerSettings settings,
        IPAddress? remote,
        CancellationToken cancellationToken
    )
    {
        if (!TriggerRules.AllowlistAdmits(settings.IpAllowlist, remote))
        {
            return new Refusal(
                new DomainError("ip_not_allowed", "this client address is not in the api trigger's IP allowlist")
            );
        }

        if (settings.RpmLimit is { } rpm && rpm > 0)
        {
            var limiter = _limiters.GetOrAdd((triggerId, rpm), key => new FixedWindowRateLimiter(
                new FixedWindowRateLimiterOptions
                {
                    PermitLimit = key.Rpm,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }
            ));
            using var lease = limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? after
                    : TimeSpan.FromSeconds(60);
                return new Refusal(
                    new DomainError("rate_limited", $"the api trigger allows {rpm} requests per minute"),
                    retry
                );
            }
        }

        if (
            settings.MaxConcurrentRuns is { } max
            && max > 0
            && await triggers.UnfinishedSessionsAsync(triggerId, cancellationToken) >= max
        )
        {
            return new Refusal(
                new DomainError(
                    "too_many_concurrent_runs",
                    $"the api trigger allows {max} unfinished sessions at once"
                ),
                TimeSpan.FromSeconds(1)
            );
        }

        return null;
    }
}
