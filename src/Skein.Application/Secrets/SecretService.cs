using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Secrets;
using Skein.Store;
using Skein.Store.Secrets;
using Skein.Store.Workspaces;

namespace Skein.Application.Secrets;

/// <summary>
/// Workspace secrets: write-only values (listings show names and times only). The value and its audit entry commit
/// together; the overload taking a <see cref="SkeinDbContext"/> joins the caller's transaction (manifest apply).
/// </summary>
public sealed class SecretService(IDbContextFactory<SkeinDbContext> contexts, SecretStore secrets, AuditTrail audit)
{
    public async Task<IReadOnlyList<SecretInfo>> ListAsync(CancellationToken cancellationToken) =>
        await secrets.ListAsync(await DefaultWorkspace.IdAsync(contexts, cancellationToken), cancellationToken);

    /// <summary>Creates or replaces a secret.</summary>
    public Task<Result<Unit>> SetAsync(Actor actor, string? name, string? value, CancellationToken cancellationToken) =>
        UnitOfWork.RunAsync(contexts, db => SetAsync(db, actor, name, value, cancellationToken), cancellationToken);

    public async Task<Result<Unit>> SetAsync(
        SkeinDbContext db,
        Actor actor,
        string? name,
        string? value,
        CancellationToken cancellationToken
    )
    {
        if (SecretRules.Check(name, value) is { } invalid)
        {
            return invalid;
        }

        // SecretRules.Check refused a null name or value, so both are set from here on.
        var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
        await secrets.StageAsync(db, tenant, name!, value!, cancellationToken);
        // A secret has no id of its own: the entry's subject is the workspace, the detail names the secret.
        audit.Record(db, tenant, actor, "secret.set", "secret", tenant, name!);
        return Unit.Value;
    }

    public Task<Result<Unit>> DeleteAsync(Actor actor, string? name, CancellationToken cancellationToken) =>
        UnitOfWork.RunAsync<Unit>(
            contexts,
            async db =>
            {
                var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
                if (name is not { Length: > 0 } || !await SecretStore.RemoveAsync(db, tenant, name, cancellationToken))
                {
                    return new DomainError(DomainErrorCodes.NotFound, $"secret '{name}' not found");
                }

                audit.Record(db, tenant, actor, "secret.deleted", "secret", tenant, name);
                return Unit.Value;
            },
            cancellationToken
        );
}
