using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.ApiKeys;
using Skein.Store.Rows;
using Skein.Store.Workspaces;

namespace Skein.Application.ApiKeys;

/// <summary>A key as management shows it: never its secret, which only the create answer carries.</summary>
public sealed record ApiKeyView(
    Guid Id,
    string Name,
    string Prefix,
    bool AllowFileUploads,
    DateTime CreatedAt,
    DateTime? RevokedAt,
    IReadOnlyList<ApiKeyStore.Scope> Scopes
);

/// <summary>
/// Managing workspace API keys: create (the secret is in the answer only), list and revoke. Authentication of a
/// presented key is the server's <c>ApiKeyAuthenticator</c>, over the same <see cref="ApiKeyStore"/>.
/// </summary>
public sealed class ApiKeyService(
    IDbContextFactory<SkeinDbContext> contexts,
    ApiKeyStore keys,
    TriggerQueries triggers,
    AuditTrail audit
)
{
    /// <summary>Key names share the store's column length with trigger names.</summary>
    public const int MaxNameLength = TriggerRules.MaxNameLength;

    /// <summary>An api trigger a key can be scoped to, with its agent's name.</summary>
    public sealed record ScopeChoice(Guid AgentId, Guid TriggerId, string AgentName);

    /// <summary>The workspace's api triggers by agent name (what a new key can be scoped to).</summary>
    public async Task<IReadOnlyList<ScopeChoice>> ScopeChoicesAsync(CancellationToken cancellationToken)
    {
        var tenant = await DefaultWorkspace.IdAsync(contexts, cancellationToken);
        var names = await AgentNamesAsync(cancellationToken);
        var apiTriggers = await triggers.ApiTriggersAsync(tenant, cancellationToken);
        return
        [
            .. apiTriggers
                .Select(t => new ScopeChoice(t.AgentId, t.Id, names.GetValueOrDefault(t.AgentId, "?")))
                .OrderBy(c => c.AgentName, StringComparer.Ordinal),
        ];
    }

    /// <summary>The workspace's agent names by id, to show a key's scopes.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> AgentNamesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
        return await db
            .Agents.AsNoTracking()
            .Where(a => a.TenantId == tenant)
            .ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken cancellationToken)
    {
        var tenant = await DefaultWorkspace.IdAsync(contexts, cancellationToken);
        var rows = await keys.ListAsync(tenant, cancellationToken);
        return [.. rows.Select(r => View(r.Key, r.Scopes))];
    }

    /// <summary>A new key of the default workspace, scoped to api triggers of their agents.</summary>
    public Task<Result<ApiKeyStore.CreatedKey>> CreateAsync(
        string? name,
        IReadOnlyList<ApiKeyStore.Scope?>? scopes,
        bool allowFileUploads,
        Actor actor,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<ApiKeyStore.CreatedKey>(
            contexts,
            async db =>
            {
                // Null list entries arrive from JSON despite the non-null element type.
                if (
                    string.IsNullOrWhiteSpace(name)
                    || scopes is null
                    || scopes.Count == 0
                    || scopes.Any(s => s is null)
                )
                {
                    return DomainError.Invalid("a key needs a name and at least one {agentId, triggerId} scope");
                }

                if (name.Length > MaxNameLength)
                {
                    return DomainError.Invalid($"a key name is at most {MaxNameLength} characters");
                }

                foreach (var scope in scopes)
                {
                    if (
                        !await db.Triggers.AnyAsync(
                            t => t.Id == scope!.TriggerId && t.AgentId == scope.AgentId,
                            cancellationToken
                        )
                    )
                    {
                        return DomainError.Invalid(
                            $"trigger {scope!.TriggerId} is not a trigger of agent {scope.AgentId}"
                        );
                    }
                }

                var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
                var created = await keys.StageAsync(
                    db,
                    tenant,
                    name,
                    [.. scopes.Select(s => s!)],
                    allowFileUploads,
                    ApiKeyStore.NewSecret(),
                    cancellationToken
                );
                audit.Record(db, tenant, actor, "api_key.created", "api_key", created.Id, name);
                return created;
            },
            cancellationToken
        );

    /// <summary>Revokes an active key; this node stops accepting it at once, others within seconds.</summary>
    public async Task<Result<Unit>> RevokeAsync(Guid keyId, Actor actor, CancellationToken cancellationToken)
    {
        var revoked = await UnitOfWork.RunAsync<Unit>(
            contexts,
            async db =>
            {
                var key = await keys.StageRevokeAsync(db, keyId, cancellationToken);
                if (key is null)
                {
                    return DomainError.NotFound("api key", keyId);
                }

                audit.Record(db, key.TenantId, actor, "api_key.revoked", "api_key", key.Id, key.Name);
                return Unit.Value;
            },
            cancellationToken
        );
        if (revoked.IsSuccess)
        {
            keys.Revoked();
        }

        return revoked;
    }

    private static ApiKeyView View(ApiKeyRow k, IReadOnlyList<ApiKeyStore.Scope> scopes) =>
        new(k.Id, k.Name, k.Prefix, k.AllowFileUploads, k.CreatedAt, k.RevokedAt, scopes);
}
