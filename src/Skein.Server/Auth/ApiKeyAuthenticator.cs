using System.Collections.Concurrent;
using Skein.Store.ApiKeys;

namespace Skein.Server.Auth;

/// <summary>
/// Authenticates <c>X-API-Key</c> secrets against <see cref="ApiKeyStore"/>, caching each answer briefly: another
/// node's revocation takes effect within 10 s, this node's at once.
/// </summary>
public sealed class ApiKeyAuthenticator(ApiKeyStore keys, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (ApiCaller? Caller, DateTimeOffset Until)> _cache = new();
    private long _revocationsSeen;

    /// <summary>The caller a secret belongs to, or null.</summary>
    public async Task<ApiCaller?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!ApiKeyStore.IsWellFormed(secret))
        {
            return null;
        }

        var revocations = keys.Revocations;
        if (Interlocked.Exchange(ref _revocationsSeen, revocations) != revocations)
        {
            _cache.Clear();
        }

        var now = time.GetUtcNow();
        var hash = await keys.HashAsync(secret, cancellationToken);
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }

        var grant = await keys.GrantAsync(secret, cancellationToken);
        var caller = grant is null
            ? null
            : new ApiCaller(grant.KeyId, grant.TenantId, grant.Scopes, grant.AllowFileUploads);
        _cache[hash] = (caller, now + CacheFor);
        return caller;
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
