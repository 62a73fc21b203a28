using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store.Rows;

namespace Skein.Store.ApiKeys;

/// <summary>
/// The store side of workspace API keys (<c>phk_…</c>). A key's secret is shown once; the store keeps only
/// HMAC-SHA256(pepper, secret), so a leaked database does not reveal keys, and lookups stay O(1). The pepper lives
/// in the store so every node computes the same hash.
/// </summary>
public sealed class ApiKeyStore(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    public const string Prefix = "phk_";
    private const string PepperSetting = "api_key_pepper";

    private byte[]? _pepper;
    private long _revocations;

    /// <summary>An (agent, api trigger) pair a key may act on.</summary>
    public sealed record Scope(Guid AgentId, Guid TriggerId);

    public sealed record CreatedKey(Guid Id, string Secret, string Prefix);

    /// <summary>What a valid secret grants.</summary>
    public sealed record Grant(Guid KeyId, Guid TenantId, IReadOnlyList<Scope> Scopes, bool AllowFileUploads);

    /// <summary>Counts revocations on this node, so a cache of grants knows when to forget them.</summary>
    public long Revocations => Interlocked.Read(ref _revocations);

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string secret) =>
        secret.StartsWith(Prefix, StringComparison.Ordinal)
        && secret.Length is >= 28 and <= 200
        && secret.AsSpan(Prefix.Length).IndexOfAnyExcept(SecretAlphabet) < 0;

    private static readonly SearchValues<char> SecretAlphabet = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    );

    /// <summary>Stages a new key and its scopes in the caller's context (committed with the caller's
    /// transaction).</summary>
    public async Task<CreatedKey> StageAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        IReadOnlyList<Scope> scopes,
        bool allowFileUploads,
        string secret,
        CancellationToken cancellationToken
    )
    {
        var key = new ApiKeyRow
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Name = name,
            Prefix = secret[..Math.Min(12, secret.Length)],
            Hash = await HashAsync(secret, cancellationToken),
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
        return new CreatedKey(key.Id, secret, key.Prefix);
    }

    /// <summary>Creates a key in its own transaction (seeding); <paramref name="secret"/> null generates one.</summary>
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
                DomainError.Invalid("an API key is 'phk_' followed by at least 24 URL-safe characters")
            );
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var created = await StageAsync(db, tenantId, name, scopes, allowFileUploads, secret, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>The key with this secret, if any (keeps a configured demo key idempotent).</summary>
    public async Task<Guid?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = await HashAsync(secret, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .ApiKeys.Where(k => k.Hash == hash)
            .Select(k => (Guid?)k.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The workspace's key of this name, if any.</summary>
    public async Task<Guid?> FindByNameAsync(Guid tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .ApiKeys.Where(k => k.Name == name && k.TenantId == tenantId)
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

    /// <summary>Marks an active key revoked in the caller's context; false when there is no such active key.</summary>
    public async Task<ApiKeyRow?> StageRevokeAsync(SkeinDbContext db, Guid keyId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.RevokedAt == null, cancellationToken);
        if (key is not null)
        {
            key.RevokedAt = time.GetUtcNow().UtcDateTime;
        }

        return key;
    }

    /// <summary>Tells this node's grant caches that a revocation committed.</summary>
    public void Revoked() => Interlocked.Increment(ref _revocations);

    /// <summary>The workspace's keys, newest first, each with its scopes.</summary>
    public async Task<IReadOnlyList<(ApiKeyRow Key, IReadOnlyList<Scope> Scopes)>> ListAsync(
        Guid tenantId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db
            .ApiKeys.AsNoTracking()
            .Where(k => k.TenantId == tenantId)
            .OrderBy(k => k.CreatedAt)
            .ToListAsync(cancellationToken);
        var ids = keys.Select(k => k.Id).ToList();
        var scopes = await db
            .ApiKeyScopes.AsNoTracking()
            .Where(s => ids.Contains(s.ApiKeyId))
            .ToListAsync(cancellationToken);
        return
        [
            .. keys.Select(k =>
                (
                    k,
                    (IReadOnlyList<Scope>)
                        [.. scopes.Where(s => s.ApiKeyId == k.Id).Select(s => new Scope(s.AgentId, s.TriggerId))]
                )
            ),
        ];
    }

    /// <summary>What an active key with this secret grants, or null.</summary>
    public async Task<Grant?> GrantAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = await HashAsync(secret, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db
            .ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, cancellationToken);
        if (
            key is null
            || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(key.Hash),
                Encoding.ASCII.GetBytes(hash)
            )
        )
        {
            return null;
        }

        var scopes = await db
            .ApiKeyScopes.AsNoTracking()
            .Where(s => s.ApiKeyId == key.Id)
            .Select(s => new Scope(s.AgentId, s.TriggerId))
            .ToListAsync(cancellationToken);
        return new Grant(key.Id, key.TenantId, scopes, key.AllowFileUploads);
    }

    /// <summary>The cache key of a secret: its stored hash.</summary>
    public async Task<string> HashAsync(string secret, CancellationToken cancellationToken)
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
