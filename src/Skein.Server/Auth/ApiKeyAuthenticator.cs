using System.Collections.Concurrent;
using Skein.Store.ApiKeys;

namespace Skein.Server.Auth;

/// <summary>
/// Authenticates <c>X-API-Key</c> secrets against <see cref="ApiKeyStore"/>, caching each answer briefly: another
/// node's revocation takes effect within 10 s, this node's at once. Unknown keys are cached in a separate, bounded
/// map, so random keys from unauthenticated callers cannot grow memory; each refusal is logged at Debug, with at
/// most one Warning summary per minute.
/// </summary>
public sealed partial class ApiKeyAuthenticator(
    ApiKeyStore keys,
    TimeProvider time,
    ILogger<ApiKeyAuthenticator> logger
)
{
    /// <summary>Most unknown keys remembered at once; past it, expired entries go, then all of them.</summary>
    public const int MaxUnknownCached = 4096;

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WarningEvery = TimeSpan.FromMinutes(1);

    // Known keys: bounded by the keys that exist. Unknown ones: bounded by MaxUnknownCached.
    private readonly ConcurrentDictionary<string, (ApiCaller Caller, DateTimeOffset Until)> _known = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new();
    private readonly Lock _warning = new();
    private long _revocationsSeen;
    private long _refusedSinceWarning;
    private DateTimeOffset _nextWarning = DateTimeOffset.MinValue;

    /// <summary>Unknown keys remembered now (for tests of the bound).</summary>
    public int UnknownCached => _unknown.Count;

    /// <summary>The caller a secret belongs to, or null.</summary>
    public async Task<ApiCaller?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!ApiKeyStore.IsWellFormed(secret))
        {
            Refused("malformed API key");
            return null;
        }

        var revocations = keys.Revocations;
        if (Interlocked.Exchange(ref _revocationsSeen, revocations) != revocations)
        {
            _known.Clear();
        }

        var now = time.GetUtcNow();
        var hash = await keys.HashAsync(secret, cancellationToken);
        if (_known.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }

        if (_unknown.TryGetValue(hash, out var until) && until > now)
        {
            Refused("unknown API key");
            return null;
        }

        var grant = await keys.GrantAsync(secret, cancellationToken);
        if (grant is null)
        {
            RememberUnknown(hash, now);
            Refused("unknown API key");
            return null;
        }

        var caller = new ApiCaller(grant.KeyId, grant.TenantId, grant.Scopes, grant.AllowFileUploads);
        _unknown.TryRemove(hash, out _);
        _known[hash] = (caller, now + CacheFor);
        return caller;
    }

    private void RememberUnknown(string hash, DateTimeOffset now)
    {
        if (_unknown.Count >= MaxUnknownCached)
        {
            foreach (var (key, expires) in _unknown)
            {
                if (expires <= now)
                {
                    _unknown.TryRemove(key, out _);
                }
            }

            if (_unknown.Count >= MaxUnknownCached)
            {
                _unknown.Clear();
            }
        }

        _unknown[hash] = now + CacheFor;
    }

    private void Refused(string reason)
    {
        Log.Refused(logger, reason);
        Interlocked.Increment(ref _refusedSinceWarning);
        var now = time.GetUtcNow();
        lock (_warning)
        {
            if (now < _nextWarning)
            {
                return;
            }

            _nextWarning = now + WarningEvery;
        }

        Log.RefusedSummary(logger, Interlocked.Exchange(ref _refusedSinceWarning, 0));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1081, Level = LogLevel.Debug, Message = "Refused an API request: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(
            EventId = 1082,
            Level = LogLevel.Warning,
            Message = "{Count} API requests refused with unknown or malformed API keys since the last summary "
                + "(at most one summary a minute; each refusal is logged at Debug)"
        )]
        public static partial void RefusedSummary(ILogger logger, long count);
    }
}

/// <summary>An authenticated API-key caller and the (agent, trigger) pairs it may act on.</summary>
public sealed record ApiCaller(
    Guid KeyId,
    Guid TenantId,
    IReadOnlyList<ApiKeyStore.Scope> Scopes,
    bool AllowFileUploads
)
{
    public bool CanUseAgent(Guid agentId) => Scopes.Any(s => s.AgentId == agentId);

    public bool CanUseTrigger(Guid agentId, Guid triggerId) =>
        Scopes.Any(s => s.AgentId == agentId && s.TriggerId == triggerId);

    /// <summary>Reads follow the same (agent, trigger) pairs as starts: a key sees the sessions its triggers
    /// started, never those of the agent's other triggers or of dashboard test runs.</summary>
    public bool CanReadSession(Guid agentId, Guid? triggerId) =>
        triggerId is { } trigger && CanUseTrigger(agentId, trigger);

    /// <summary>The agent's triggers this key is scoped to.</summary>
    public IReadOnlyList<Guid> TriggersOf(Guid agentId) =>
        [.. Scopes.Where(s => s.AgentId == agentId).Select(s => s.TriggerId).Distinct()];
}

/// <summary>Registration of <c>X-API-Key</c> authentication's services.</summary>
public static class ApiKeyAuthentication
{
    /// <summary>
    /// The authenticator, and a log filter that keeps the framework's per-request Information lines of the API-key
    /// handler ("not authenticated", "challenged") out of the log: an unauthenticated caller must not be able to
    /// fill it. Refusals are logged by <see cref="ApiKeyAuthenticator"/> instead (Debug, plus a Warning summary).
    /// </summary>
    public static IServiceCollection AddSkeinApiKeys(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyAuthenticator>();
        services.Configure<LoggerFilterOptions>(o =>
            o.Rules.Add(
                new LoggerFilterRule(null, typeof(ApiKeyAuthenticationHandler).FullName, LogLevel.Warning, null)
            )
        );
        return services;
    }
}
