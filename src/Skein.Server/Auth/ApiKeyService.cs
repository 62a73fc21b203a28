using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Auth;

/// <summary>
/// Creates and checks workspace API keys (<c>phk_…</c>). A key's secret is shown once; the store keeps
/// only HMAC-SHA256(pepper, secret), so a leaked database does not reveal keys, and lookups stay O(1).
/// The pepper lives in the store so every node computes the same hash.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    public const string Prefix = "phk_";
    private const string PepperSetting = "api_key_pepper";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (ApiCaller? Caller, DateTimeOffset Until)> _cache = new();
    private byte[]? _pepper;

    public sealed record Scope(Guid AgentId, Guid TriggerId);

    public sealed record CreatedKey(Guid Id, string Secret, string Prefix);

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public async Task<CreatedKey> CreateAsync(
        Guid tenantId,
        string name,
        IReadOnlyList<Scope> scopes,
        bool allowFileUploads,
        string? secret,
        CancellationToken cancellationToken
    )
    {
        secret ??= NewSecret();
        if (!IsWellFormed(secret))
        {
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.InvalidInput,
                    "an API key is 'phk_' followed by at least 24 URL-safe characters"
                )
            );
        }

        var hash = await HashAsync(secret, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = new ApiKeyRow
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Name = name,
            Prefix = secret[..Math.Min(12, secret.Length)],
            Hash = hash,
            AllowFileUploads = allowFileUploads,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(key);
        db.ApiKeyScopes.AddRange(
            scopes
                .Distinct()
                .Select(s => new ApiKeyScopeRow
                {
                    Id = Ids.New(),
                    ApiKeyId = key.Id,
                    AgentId = s.AgentId,
                    TriggerId = s.TriggerId,
                })
        );
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedKey(key.Id, secret, key.Prefix);
    }

    /// <summary>Whether a key with this secret exists (used to keep a configured demo key idempotent).</summary>
    public async Task<Guid?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = await HashAsync(secret, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .ApiKeys.Where(k => k.Hash == hash)
            .Select(k => (Guid?)k.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task AddScopeAsync(Guid keyId, Scope scope, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (
            !await db.ApiKeyScopes.AnyAsync(
                s => s.ApiKeyId == keyId && s.AgentId == scope.AgentId && s.TriggerId == scope.TriggerId,
                cancellationToken
            )
        )
        {
            db.ApiKeyScopes.Add(
                new ApiKeyScopeRow
                {
                    Id = Ids.New(),
                    ApiKeyId = keyId,
                    AgentId = scope.AgentId,
                    TriggerId = scope.TriggerId,
                }
            );
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<bool> RevokeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.RevokedAt == null, cancellationToken);
        if (key is null)
        {
            return false;
        }

        key.RevokedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        _cache.Clear();
        return true;
    }

    /// <summary>The caller a secret belongs to, or null. Answers are cached briefly (revocation takes effect within 10
    /// s).</summary>
    public async Task<ApiCaller?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(secret))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var hash = await HashAsync(secret, cancellationToken);
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db
            .ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, cancellationToken);
        ApiCaller? caller = null;
        if (
            key is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key.Hash), Encoding.ASCII.GetBytes(hash))
        )
        {
            var scopes = await db
                .ApiKeyScopes.AsNoTracking()
                .Where(s => s.ApiKeyId == key.Id)
                .Select(s => new Scope(s.AgentId, s.TriggerId))
                .ToListAsync(cancellationToken);
            caller = new ApiCaller(key.Id, key.TenantId, scopes, key.AllowFileUploads);
        }

        _cache[hash] = (caller, now + CacheFor);
        return caller;
    }

    private static bool IsWellFormed(string secret) =>
        secret.StartsWith(Prefix, StringComparison.Ordinal)
        && secret.Length is >= 28 and <= 200
        && secret
            .AsSpan(Prefix.Length)
            .IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    private async Task<string> HashAsync(string secret, CancellationToken cancellationToken)
    {
        var pepper = _pepper ??= await LoadPepperAsync(cancellationToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(pepper, Encoding.UTF8.GetBytes(secret)));
    }

    private async Task<byte[]> LoadPepperAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ServerSettings.FirstOrDefaultAsync(s => s.Key == PepperSetting, cancellationToken);
        if (row is null)
        {
            db.ServerSettings.Add(
                row = new ServerSettingRow
                {
                    Key = PepperSetting,
                    Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                }
            );
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node created it first: use theirs.
                await using var again = await contexts.CreateDbContextAsync(cancellationToken);
                row = await again.ServerSettings.FirstAsync(s => s.Key == PepperSetting, cancellationToken);
            }
        }

        return Convert.FromBase64String(row.Value);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>An authenticated API-key caller and the (agent, trigger) pairs it may act on.</summary>
public sealed record ApiCaller(
    Guid KeyId,
    Guid TenantId,
    IReadOnlyList<ApiKeyService.Scope> Scopes,
    bool AllowFileUploads
)
{
    public bool CanUseAgent(Guid agentId) => Scopes.Any(s => s.AgentId == agentId);

    public bool CanUseTrigger(Guid agentId, Guid triggerId) =>
        Scopes.Any(s => s.AgentId == agentId && s.TriggerId == triggerId);
}
