using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Egress;
using Skein.Core.Integrations;
using Skein.Core.Secrets;
using Skein.Engine.Egress;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Workspaces;

namespace Skein.Application.Integrations;

/// <summary>
/// HTTP integrations (base URL, auth from a secret) and their operations. Each write is one transaction with its
/// audit entry; the overloads taking a <see cref="SkeinDbContext"/> join the caller's transaction.
/// </summary>
public sealed partial class IntegrationService(
    IDbContextFactory<SkeinDbContext> contexts,
    AuditTrail audit,
    IOptions<EgressOptions> egress
)
{
    public async Task<IReadOnlyList<IntegrationView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
        var integrations = await db
            .Integrations.AsNoTracking()
            .Where(i => i.TenantId == tenant)
            .OrderBy(i => i.Name)
            .ToListAsync(cancellationToken);
        var operations = await db
            .Operations.AsNoTracking()
            .Where(o => o.TenantId == tenant)
            .ToListAsync(cancellationToken);
        return [.. integrations.Select(i => IntegrationView.From(i, operations))];
    }

    public async Task<Result<IntegrationView>> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        return integration is null
            ? DomainError.NotFound("integration", id)
            : await ViewAsync(db, integration, cancellationToken);
    }

    public Task<Result<IntegrationView>> CreateAsync(
        Actor actor,
        IntegrationBody body,
        CancellationToken cancellationToken
    ) => UnitOfWork.RunAsync(contexts, db => SaveAsync(db, actor, null, body, cancellationToken), cancellationToken);

    public Task<Result<IntegrationView>> UpdateAsync(
        Actor actor,
        Guid id,
        IntegrationBody body,
        CancellationToken cancellationToken
    ) => UnitOfWork.RunAsync(contexts, db => SaveAsync(db, actor, id, body, cancellationToken), cancellationToken);

    /// <summary>
    /// Creates (<paramref name="id"/> null; name and base URL required) or edits an integration inside the caller's
    /// unit of work, saving so the row exists for what follows in the same transaction.
    /// </summary>
    public async Task<Result<IntegrationView>> SaveAsync(
        SkeinDbContext db,
        Actor actor,
        Guid? id,
        IntegrationBody body,
        CancellationToken cancellationToken
    )
    {
        IntegrationRow integration;
        if (id is { } existing)
        {
            var found = await db.Integrations.FirstOrDefaultAsync(i => i.Id == existing, cancellationToken);
            if (found is null)
            {
                return DomainError.NotFound("integration", existing);
            }

            integration = found;
        }
        else
        {
            if (body.Name is null || body.BaseUrl is null)
            {
                return DomainError.Invalid("an integration needs a name and a baseUrl");
            }

            integration = new IntegrationRow
            {
                Id = Ids.New(),
                TenantId = await DefaultWorkspace.IdAsync(db, cancellationToken),
                Name = body.Name,
                BaseUrl = body.BaseUrl,
            };
        }

        var authType = body.AuthType ?? integration.AuthType;
        var settings = new IntegrationSettings(
            body.Name ?? integration.Name,
            body.BaseUrl ?? integration.BaseUrl,
            authType,
            body.AuthHeaderName ?? integration.AuthHeaderName,
            body.AuthSecretName ?? integration.AuthSecretName
        );
        if (IntegrationRules.Check(settings, body.Name is not null, body.BaseUrl is not null) is { } invalid)
        {
            return invalid;
        }

        // Only a base URL this change sets is judged; a stored one is refused again when a call connects.
        if (
            body.BaseUrl is not null
            && EgressRules.CheckBaseUrl(settings.BaseUrl, egress.Value.AllowPrivateNetworks) is { } refused
        )
        {
            return refused;
        }

        var previousSecret = integration.AuthSecretName;
        integration.Name = settings.Name;
        integration.BaseUrl = settings.BaseUrl;
        integration.AuthType = authType;
        integration.AuthSecretName = authType == IntegrationAuthTypes.None ? null : settings.AuthSecretName;
        if (await BindSecretAsync(db, integration, previousSecret, cancellationToken) is { } notOwned)
        {
            return notOwned;
        }

        integration.AuthHeaderName = authType == IntegrationAuthTypes.Header ? settings.AuthHeaderName : null;
        if (
            await db.Integrations.AnyAsync(
                i => i.TenantId == integration.TenantId && i.Name == integration.Name && i.Id != integration.Id,
                cancellationToken
            )
        )
        {
            return DomainError.Conflict($"an integration named '{integration.Name}' exists");
        }

        if (id is null)
        {
            db.Integrations.Add(integration);
        }

        var changed = UnitOfWork.Changed(db, integration);
        await UnitOfWork.SaveAsync(db, cancellationToken);
        if (!changed)
        {
            return await ViewAsync(db, integration, cancellationToken);
        }

        audit.Record(
            db,
            integration.TenantId,
            actor,
            id is null ? "integration.created" : "integration.updated",
            "integration",
            integration.Id,
            integration.Name
        );
        return await ViewAsync(db, integration, cancellationToken);
    }

    /// <summary>Deletes the integration and its operations; versions that allowlist one keep their list.</summary>
    public Task<Result<Unit>> DeleteAsync(Actor actor, Guid id, CancellationToken cancellationToken) =>
        UnitOfWork.RunAsync<Unit>(
            contexts,
            async db =>
            {
                var integration = await db
                    .Integrations.AsNoTracking()
                    .FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
                if (integration is null)
                {
                    return DomainError.NotFound("integration", id);
                }

                // The tool is simply no longer offered to versions that allowlist a deleted operation.
                await db.Operations.Where(o => o.IntegrationId == id).ExecuteDeleteAsync(cancellationToken);
                await db.Integrations.Where(i => i.Id == id).ExecuteDeleteAsync(cancellationToken);
                await SecretStore.ReleaseAsync(
                    db,
                    integration.TenantId,
                    null,
                    SecretOwner.Integration(id),
                    cancellationToken
                );
                audit.Record(
                    db,
                    integration.TenantId,
                    actor,
                    "integration.deleted",
                    "integration",
                    id,
                    integration.Name
                );
                return Unit.Value;
            },
            cancellationToken
        );

    /// <summary>
    /// The integration's auth secret must be its own (bound to it here when unbound); a secret it stopped naming is
    /// released for others.
    /// </summary>
    private static async Task<DomainError?> BindSecretAsync(
        SkeinDbContext db,
        IntegrationRow integration,
        string? previousSecret,
        CancellationToken cancellationToken
    )
    {
        var owner = SecretOwner.Integration(integration.Id);
        if (previousSecret is not null && previousSecret != integration.AuthSecretName)
        {
            await SecretStore.ReleaseAsync(db, integration.TenantId, previousSecret, owner, cancellationToken);
        }

        return integration.AuthSecretName is { } name
            ? await SecretStore.BindAsync(db, integration.TenantId, name, owner, cancellationToken)
            : null;
    }

    private static async Task<IntegrationView> ViewAsync(
        SkeinDbContext db,
        IntegrationRow integration,
        CancellationToken cancellationToken
    )
    {
        var operations = await db
            .Operations.AsNoTracking()
            .Where(o => o.IntegrationId == integration.Id)
            .ToListAsync(cancellationToken);
        return IntegrationView.From(integration, operations);
    }
}
