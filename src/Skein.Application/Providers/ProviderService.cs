using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Egress;
using Skein.Core.Providers;
using Skein.Core.Secrets;
using Skein.Core.Usage;
using Skein.Engine.Egress;
using Skein.Engine.Models;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Workspaces;

namespace Skein.Application.Providers;

/// <summary>
/// LLM providers: kind, base URL, key (from a secret) and model list, plus a connection test. Each write is one
/// transaction with its audit entry, the key secret included; the overloads taking a <see cref="SkeinDbContext"/>
/// join the caller's transaction.
/// </summary>
public sealed class ProviderService(
    IDbContextFactory<SkeinDbContext> contexts,
    SecretStore secrets,
    ProviderConnectionTest connectionTest,
    AuditTrail audit,
    TimeProvider time,
    IOptions<EgressOptions> egress
)
{
    public async Task<IReadOnlyList<ProviderView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
        var providers = await db
            .LlmProviders.AsNoTracking()
            .Where(p => p.TenantId == tenant)
            .OrderBy(p => p.Name)
            .ToListAsync(cancellationToken);
        return [.. providers.Select(ProviderView.From)];
    }

    public Task<Result<ProviderView>> CreateAsync(
        Actor actor,
        ProviderChange change,
        CancellationToken cancellationToken
    ) => UnitOfWork.RunAsync(contexts, db => SaveAsync(db, actor, null, change, cancellationToken), cancellationToken);

    public Task<Result<ProviderView>> UpdateAsync(
        Actor actor,
        Guid id,
        ProviderChange change,
        CancellationToken cancellationToken
    ) => UnitOfWork.RunAsync(contexts, db => SaveAsync(db, actor, id, change, cancellationToken), cancellationToken);

    /// <summary>
    /// Creates (<paramref name="id"/> null; name and kind required) or edits a provider inside the caller's unit of
    /// work, saving so the row exists for what follows in the same transaction.
    /// </summary>
    public async Task<Result<ProviderView>> SaveAsync(
        SkeinDbContext db,
        Actor actor,
        Guid? id,
        ProviderChange change,
        CancellationToken cancellationToken
    )
    {
        LlmProviderRow provider;
        if (id is { } existing)
        {
            var found = await db.LlmProviders.FirstOrDefaultAsync(p => p.Id == existing, cancellationToken);
            if (found is null)
            {
                return DomainError.NotFound("llm provider", existing);
            }

            provider = found;
        }
        else
        {
            if (change.Name is null || change.Kind is null)
            {
                return DomainError.Invalid($"a provider needs a name and a kind ({ProviderKinds.Listed})");
            }

            provider = new LlmProviderRow
            {
                Id = Ids.New(),
                TenantId = await DefaultWorkspace.IdAsync(db, cancellationToken),
                Name = change.Name,
                Kind = change.Kind,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
        }

        if (
            (
                ProviderRules.Check(change.Name, change.Kind, change.BaseUrl, change.Models)
                ?? ModelPrices.Check(change.Prices)
            ) is
            { } invalid
        )
        {
            return invalid;
        }

        if (
            change.BaseUrl is { Length: > 0 }
            && EgressRules.CheckBaseUrl(change.BaseUrl, egress.Value.AllowPrivateNetworks) is { } refused
        )
        {
            return refused;
        }

        if (change.ApiKeySecretName is { Length: > 0 } secretName && !SecretRules.IsValidName(secretName))
        {
            return DomainError.Invalid("apiKeySecretName is not a valid secret name");
        }

        var previousSecret = provider.ApiKeySecretName;
        provider.Name = change.Name ?? provider.Name;
        provider.Kind = change.Kind ?? provider.Kind;
        provider.BaseUrl =
            change.BaseUrl is null ? provider.BaseUrl
            : change.BaseUrl.Length == 0 ? null
            : change.BaseUrl;
        provider.ApiKeySecretName =
            change.ApiKeySecretName is null ? provider.ApiKeySecretName
            : change.ApiKeySecretName.Length == 0 ? null
            : change.ApiKeySecretName;
        provider.Models = change.Models is null ? provider.Models : JsonSerializer.Serialize(change.Models);
        // ModelPrices.Check above refused null prices.
        provider.Prices = change.Prices is null
            ? provider.Prices
            : ModelPrices.Of(change.Prices.ToDictionary(p => p.Key, p => p.Value!)).ToJson();
        if (
            await db.LlmProviders.AnyAsync(
                p => p.TenantId == provider.TenantId && p.Name == provider.Name && p.Id != provider.Id,
                cancellationToken
            )
        )
        {
            return DomainError.Conflict($"a provider named '{provider.Name}' exists");
        }

        if (id is null)
        {
            db.LlmProviders.Add(provider);
        }

        var changed = UnitOfWork.Changed(db, provider) || change.ApiKey is { Length: > 0 };
        var owner = SecretOwner.Provider(provider.Id);
        if (
            provider.ApiKeySecretName is { } keyName
            && await SecretStore.BindAsync(db, provider.TenantId, keyName, owner, cancellationToken) is { } notOwned
        )
        {
            return notOwned;
        }

        await UnitOfWork.SaveAsync(db, cancellationToken);
        if (change.ApiKey is { Length: > 0 } key)
        {
            // A key given inline is written to a secret the provider points at: stored once, encrypted, never echoed.
            provider.ApiKeySecretName ??= ProviderRules.GeneratedKeySecretName(provider.Id);
            await secrets.StageAsync(db, provider.TenantId, provider.ApiKeySecretName, key, owner, cancellationToken);
        }

        if (previousSecret is not null && previousSecret != provider.ApiKeySecretName)
        {
            await SecretStore.ReleaseAsync(db, provider.TenantId, previousSecret, owner, cancellationToken);
        }

        var generated = ProviderRules.GeneratedKeySecretName(provider.Id);
        if (previousSecret == generated && provider.ApiKeySecretName != previousSecret)
        {
            // The key was removed (or pointed elsewhere): the generated secret holding it would only linger.
            await SecretStore.RemoveAsync(db, provider.TenantId, previousSecret, cancellationToken);
        }

        if (!changed)
        {
            return ProviderView.From(provider);
        }

        audit.Record(
            db,
            provider.TenantId,
            actor,
            id is null ? "provider.created" : "provider.updated",
            "llm_provider",
            provider.Id,
            provider.Name
        );
        return ProviderView.From(provider);
    }

    /// <summary>Refused (409, naming the agents) while agents use the provider; its generated key goes with
    /// it.</summary>
    public Task<Result<Unit>> DeleteAsync(Actor actor, Guid id, CancellationToken cancellationToken) =>
        UnitOfWork.RunAsync<Unit>(
            contexts,
            async db =>
            {
                var provider = await db
                    .LlmProviders.AsNoTracking()
                    .FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
                if (provider is null)
                {
                    return DomainError.NotFound("llm provider", id);
                }

                var users = await db
                    .Agents.AsNoTracking()
                    .Where(a => a.LlmProviderId == id)
                    .OrderBy(a => a.Name)
                    .Select(a => a.Name)
                    .Take(6)
                    .ToListAsync(cancellationToken);
                if (users.Count > 0)
                {
                    var names = string.Join(", ", users.Take(5)) + (users.Count > 5 ? ", …" : "");
                    return DomainError.Conflict($"agents use this provider ({names}); move them to another first");
                }

                await db.LlmProviders.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);
                await SecretStore.ReleaseAsync(
                    db,
                    provider.TenantId,
                    null,
                    SecretOwner.Provider(id),
                    cancellationToken
                );
                await SecretStore.RemoveAsync(
                    db,
                    provider.TenantId,
                    ProviderRules.GeneratedKeySecretName(id),
                    cancellationToken
                );
                audit.Record(db, provider.TenantId, actor, "provider.deleted", "llm_provider", id, provider.Name);
                return Unit.Value;
            },
            cancellationToken
        );

    /// <summary>Connection test: a failing endpoint is reported in the result, not raised; the key is
    /// redacted.</summary>
    public async Task<Result<ProviderTestOutcome>> TestAsync(Guid id, CancellationToken cancellationToken)
    {
        LlmProviderRow? provider;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            provider = await db.LlmProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        }

        if (provider is null)
        {
            return DomainError.NotFound("llm provider", id);
        }

        var use = provider.ApiKeySecretName is { } name
            ? await secrets.GetForAsync(provider.TenantId, name, SecretOwner.Provider(provider.Id), cancellationToken)
            : new SecretUse(null, null);
        if (use.Refusal is { } refusal)
        {
            return new ProviderTestOutcome(
                provider.Name,
                new ConnectionTestResult(false, provider.Kind, [], refusal, 0)
            );
        }

        var key = use.Value;
        var result = await connectionTest.RunAsync(provider, key, cancellationToken);

        // An endpoint's own error text could quote what it was sent; the key stays out of the answer.
        return new ProviderTestOutcome(
            provider.Name,
            key is null || result.Error is null
                ? result
                : result with
                {
                    Error = result.Error.Replace(key, "[redacted]", StringComparison.Ordinal),
                }
        );
    }
}
