using System.ComponentModel.DataAnnotations;

namespace Skein.Engine;

/// <summary>Engine settings, bound from <c>Skein:Engine</c>.</summary>
public sealed class EngineOptions
{
    public const string Section = "Skein:Engine";

    /// <summary>How long one model call may take before the run fails with a provider timeout.</summary>
    public TimeSpan ModelCallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many times a model call failing with 429 or 5xx is retried at once, in process, before the run
    /// parks (see <see cref="ProviderRetryBudget"/>).</summary>
    [Range(0, 10)]
    public int ModelRetryAttempts { get; set; } = 2;

    /// <summary>The first in-process retry's delay (doubling after it) when the provider sends no
    /// <c>Retry-After</c>.</summary>
    public TimeSpan ModelRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest <c>Retry-After</c> waited for in process; a provider asking for more parks the run
    /// instead.</summary>
    public TimeSpan ModelRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a run keeps trying a provider that fails with 429 or 5xx, from the first failure (SPEC section 12):
    /// between attempts the run parks in WaitingForTimer with a <c>provider_backoff</c> step; past the budget it fails
    /// with the provider's last error. Zero fails the run once the in-process retries are spent.
    /// </summary>
    public TimeSpan ProviderRetryBudget { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first parked wait without a <c>Retry-After</c>; each further one doubles it, up to
    /// <see cref="ProviderBackoffMaxDelay"/>.</summary>
    public TimeSpan ProviderBackoffDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest single parked wait.</summary>
    public TimeSpan ProviderBackoffMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Runs driven at once on this node; more wait their turn (their state is safe in the store).</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRuns { get; set; } = 512;

    /// <summary>How often due waits (phrony_wait, conversation idle timeouts) are looked for.</summary>
    public TimeSpan TimerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often scheduled triggers are checked for a due slot (slots have one-second precision at
    /// best).</summary>
    public TimeSpan SchedulePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often finished sessions past the workspace's retention days are looked for and deleted.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the per-trigger counts of refused webhook deliveries are added to the store.</summary>
    public TimeSpan RefusalFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest tool result kept; a larger one is cut and flagged.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxToolResultBytes { get; set; } = 64 * 1024;
}
