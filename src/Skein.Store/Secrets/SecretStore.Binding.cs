using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Integrations;
using Skein.Core.Secrets;

namespace Skein.Store.Secrets;

/// <summary>A secret's value for its consumer, or why the consumer may not have it.</summary>
public sealed record SecretUse(string? Value, string? Refusal);

/// <summary>Secrets are bound to one owner (<see cref="SecretOwner"/>), checked on configuration writes and on
/// use.</summary>
public sealed partial class SecretStore
{
    /// <summary>
    /// The value of <paramref name="name"/> for <paramref name="consumer"/>: null when there is no such secret, a
    /// refusal when another owns it (or, unbound, another names it too). An unbound secret becomes the consumer's
    /// here (first use: a secret written before owners were recorded, or created after the configuration naming it).
    /// </summary>
    public async Task<SecretUse> GetForAsync(
        Guid tenantId,
        string name,
        SecretOwner consumer,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db
            .Secrets.AsNoTracking()
            .FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Name == name, cancellationToken);
        if (row is null)
        {
            return new SecretUse(null, null);
        }

        if (SecretOwner.From(row.OwnerKind, row.OwnerId) != consumer)
        {
            if (await BindAsync(db, tenantId, name, consumer, cancellationToken) is { } refused)
            {
                return new SecretUse(null, refused.Message);
            }
        }

        return new SecretUse(_protector.Unprotect(row.ProtectedValue), null);
    }

    /// <summary>
    /// Makes <paramref name="consumer"/> the owner of the secret <paramref name="name"/> inside the caller's
    /// transaction, or says why not (<see cref="SecretBinding.Check"/>). A secret that does not exist yet binds
    /// nothing: it is judged when it is first used.
    /// </summary>
    public static async Task<DomainError?> BindAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        SecretOwner consumer,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await db
                .Secrets.AsNoTracking()
                .Where(s => s.TenantId == tenantId && s.Name == name)
                .Select(s => new { s.OwnerKind, s.OwnerId })
                .FirstOrDefaultAsync(cancellationToken);
            if (row is null)
            {
                return null;
            }

            var owner = SecretOwner.From(row.OwnerKind, row.OwnerId);
            var others = owner is null ? await OthersNamingAsync(db, tenantId, name, consumer, cancellationToken) : [];
            if (SecretBinding.Check(name, owner, consumer, others) is { } refused)
            {
                return refused;
            }

            if (owner is not null)
            {
                return null;
            }

            // Only while still unbound: two consumers binding at once cannot both win.
            var bound = await db
                .Secrets.Where(s => s.TenantId == tenantId && s.Name == name && s.OwnerId == null)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(s => s.OwnerKind, consumer.Kind).SetProperty(s => s.OwnerId, consumer.Id),
                    cancellationToken
                );
            if (bound > 0 || attempt > 0)
            {
                return bound > 0 ? null : DomainError.Conflict($"secret '{name}' was bound meanwhile; try again");
            }
        }
    }

    /// <summary>Gives up <paramref name="owner"/>'s claim on the secret (it stopped naming it, or was
    /// deleted).</summary>
    public static Task ReleaseAsync(
        SkeinDbContext db,
        Guid tenantId,
        string? name,
        SecretOwner owner,
        CancellationToken cancellationToken
    ) =>
        db
            .Secrets.Where(s =>
                s.TenantId == tenantId
                && (name == null || s.Name == name)
                && s.OwnerKind == owner.Kind
                && s.OwnerId == owner.Id
            )
            .ExecuteUpdateAsync(
                u => u.SetProperty(s => s.OwnerKind, (string?)null).SetProperty(s => s.OwnerId, (Guid?)null),
                cancellationToken
            );

    /// <summary>The integrations and providers other than <paramref name="consumer"/> that name the
    /// secret.</summary>
    private static async Task<IReadOnlyList<SecretOwner>> OthersNamingAsync(
        SkeinDbContext db,
        Guid tenantId,
        string name,
        SecretOwner consumer,
        CancellationToken cancellationToken
    )
    {
        var integrations = await db
            .Integrations.AsNoTracking()
            .Where(i =>
                i.TenantId == tenantId
                && i.AuthSecretName == name
                && i.AuthType != IntegrationAuthTypes.None
                && i.Id != consumer.Id
            )
            .Select(i => i.Id)
            .Take(5)
            .ToListAsync(cancellationToken);
        var providers = await db
            .LlmProviders.AsNoTracking()
            .Where(p => p.TenantId == tenantId && p.ApiKeySecretName == name && p.Id != consumer.Id)
            .Select(p => p.Id)
            .Take(5)
            .ToListAsync(cancellationToken);
        return [.. integrations.Select(SecretOwner.Integration), .. providers.Select(SecretOwner.Provider)];
    }
}
