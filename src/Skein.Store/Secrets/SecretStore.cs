using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Secrets;
using Skein.Store.Rows;

namespace Skein.Store.Secrets;

/// <summary>
/// Workspace secrets, encrypted at rest with ASP.NET Core Data Protection (the key ring lives apart from the
/// database, so a copied database alone reveals nothing). Values go in and come out only through here;
/// listings carry names and times, never values.
/// </summary>
public sealed partial class SecretStore(
    IDbContextFactory<SkeinDbContext> contexts,
    IDataProtectionProvider protection,
    TimeProvider time
)
{
    public const int MaxNameLength = SecretRules.MaxNameLength;
    public const int MaxValueLength = SecretRules.MaxValueLength;

    private readonly IDataProtector _protector = protection.CreateProtector("Skein.Secrets.v1");

    /// <summary>Creates or replaces the secret <paramref name="name"/>.</summary>
    public async Task SetAsync(Guid tenantId, string name, string value, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var protectedValue = _protector.Protect(value);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db
            .Secrets.Where(s => s.TenantId == tenantId && s.Name == name)
            .ExecuteUpdateAsync(
                u => u.SetProperty(s => s.ProtectedValue, protectedValue).SetProperty(s => s.UpdatedAt, now),
                cancellationToken
            );
        if (updated > 0)
        {
            return;
        }

        db.Secrets.Add(
            new SecretRow
            {
                TenantId = tenantId,
                Name = name,
                ProtectedValue = protectedValue,
                CreatedAt = now,
                UpdatedAt = now,
            }
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another writer created it first: last write wins, as for an update.
            await using var retry = await contexts.CreateDbContextAsync(cancellationToken);
            await retry
                .Secrets.Where(s => s.TenantId == tenantId && s.Name == name)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(s => s.ProtectedValue, protectedValue).SetProperty(s => s.UpdatedAt, now),
                    cancellationToken
                );
        }
    }

    /// <summary>
    /// Creates or replaces the secret inside the caller's context and transaction, so a manifest apply commits its
    /// secrets atomically with the rows that name them. With an <paramref name="owner"/> (a key given inline for a
    /// provider, a trigger's signing secret) the secret is created for, and bound to, that owner.
    /// </summary>
    public async Task StageAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        string value,
        SecretOwner? owner,
        CancellationToken cancellationToken
    )
    {
        var now = time.GetUtcNow().UtcDateTime;
        var protectedValue = _protector.Protect(value);
        var updated = owner is null
            ? await db
                .Secrets.Where(s => s.TenantId == tenantId && s.Name == name)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(s => s.ProtectedValue, protectedValue).SetProperty(s => s.UpdatedAt, now),
                    cancellationToken
                )
            : await db
                .Secrets.Where(s => s.TenantId == tenantId && s.Name == name)
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(s => s.ProtectedValue, protectedValue)
                            .SetProperty(s => s.UpdatedAt, now)
                            .SetProperty(s => s.OwnerKind, owner.Kind)
                            .SetProperty(s => s.OwnerId, owner.Id),
                    cancellationToken
                );
        if (updated == 0)
        {
            db.Secrets.Add(
                new SecretRow
                {
                    TenantId = tenantId,
                    Name = name,
                    ProtectedValue = protectedValue,
                    CreatedAt = now,
                    UpdatedAt = now,
                    OwnerKind = owner?.Kind,
                    OwnerId = owner?.Id,
                }
            );
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Creates or replaces an unbound secret in the caller's transaction (see the overload with an
    /// owner).</summary>
    public Task StageAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        string value,
        CancellationToken cancellationToken
    ) => StageAsync(db, tenantId, name, value, null, cancellationToken);

    /// <summary>The plaintext value, or null when there is no such secret.</summary>
    public async Task<string?> GetAsync(Guid tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db
            .Secrets.AsNoTracking()
            .FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Name == name, cancellationToken);
        return row is null ? null : _protector.Unprotect(row.ProtectedValue);
    }

    public async Task<IReadOnlyList<SecretInfo>> ListAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Secrets.AsNoTracking()
            .Where(s => s.TenantId == tenantId)
            .OrderBy(s => s.Name)
            .Select(s => new SecretInfo(s.Name, s.CreatedAt, s.UpdatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted =
            await db.Secrets.Where(s => s.TenantId == tenantId && s.Name == name).ExecuteDeleteAsync(cancellationToken)
            > 0;
        return deleted;
    }

    /// <summary>Deletes the secret inside the caller's context and transaction (false when there was none).</summary>
    public static async Task<bool> RemoveAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        CancellationToken cancellationToken
    )
    {
        var deleted =
            await db.Secrets.Where(s => s.TenantId == tenantId && s.Name == name).ExecuteDeleteAsync(cancellationToken)
            > 0;
        return deleted;
    }

    /// <summary>Secret names are 1 to 200 characters of letters, digits, '.', '_' and '-' (they appear in
    /// URLs).</summary>
    public static bool IsValidName(string? name) => SecretRules.IsValidName(name);
}

/// <summary>A secret as listings show it: never the value.</summary>
public sealed record SecretInfo(string Name, DateTime CreatedAt, DateTime UpdatedAt);
