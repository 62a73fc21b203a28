using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Engine.Models;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Secrets;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for LLM providers: kind, base URL, key (from a secret) and model list, plus a connection
/// test.</summary>
public static class ProviderAdminEndpoints
{
    public static RouteGroupBuilder MapProviderAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/providers", ListAsync)
            .WithName("AdminListProviders")
            .WithSummary("LLM providers (key secret names, never keys)");
        api.MapPost("/providers", CreateAsync)
            .WithName("AdminCreateProvider")
            .WithSummary("Create a provider; an apiKey given here is stored as a secret and never returned");
        api.MapPut("/providers/{id:guid}", UpdateAsync).WithName("AdminUpdateProvider").WithSummary("Edit a provider");
        api.MapDelete("/providers/{id:guid}", DeleteAsync)
            .WithName("AdminDeleteProvider")
            .WithSummary("Delete a provider no agent uses");
        api.MapPost("/providers/{id:guid}/test", TestAsync)
            .WithName("AdminTestProvider")
            .WithSummary("Connection test: {ok, models, error, latencyMs}; a failing endpoint is reported, not raised");
        return api;
    }

    public sealed record ProviderBody(
        string? Name,
        string? Kind,
        string? BaseUrl,
        string? ApiKeySecretName,
        string? ApiKey,
        IReadOnlyList<string>? Models
    );

    public sealed record ProviderView(
        Guid Id,
        string Name,
        string Kind,
        string? BaseUrl,
        string? ApiKeySecretName,
        IReadOnlyList<string> Models,
        DateTime CreatedAt
    )
    {
        public static ProviderView From(LlmProviderRow p) =>
            new(
                p.Id,
                p.Name,
                p.Kind,
                p.BaseUrl,
                p.ApiKeySecretName,
                JsonSerializer.Deserialize<List<string>>(p.Models) ?? [],
                p.CreatedAt
            );
    }

    public sealed record ProviderList(IReadOnlyList<ProviderView> Items);

    private static async Task<IResult> ListAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await AdminTenant.IdAsync(db, cancellationToken);
        var providers = await db
            .LlmProviders.AsNoTracking()
            .Where(p => p.TenantId == tenant)
            .OrderBy(p => p.Name)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ProviderList([.. providers.Select(ProviderView.From)]));
    }

    /// <summary>The secret name an inline <c>apiKey</c> is stored under; Skein owns it, so it goes with the provider or
    /// its key.</summary>
    public static string GeneratedKeySecretName(Guid providerId) => $"provider-{providerId}-key";

    /// <summary><c>POST /api/providers</c>; the dashboard's Add provider form calls it too, so both validate
    /// alike.</summary>
    public static async Task<IResult> CreateAsync(
        ProviderBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        SecretStore secrets,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        if (body?.Name is null || body.Kind is null)
        {
            return Problems.Invalid("a provider needs a name and a kind ('scripted' or 'openai')");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var provider = new LlmProviderRow
        {
            Id = Ids.New(),
            TenantId = await AdminTenant.IdAsync(db, cancellationToken),
            Name = body.Name,
            Kind = body.Kind,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        return await SaveAsync(db, provider, body, secrets, creating: true, cancellationToken);
    }

    /// <summary><c>PUT /api/providers/{id}</c>: absent fields keep their value; an empty apiKeySecretName removes the
    /// key.</summary>
    public static async Task<IResult> UpdateAsync(
        Guid id,
        ProviderBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        SecretStore secrets,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var provider = await db.LlmProviders.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        return provider is null
            ? Problems.From(DomainError.NotFound("llm provider", id))
            : await SaveAsync(
                db,
                provider,
                body ?? new ProviderBody(null, null, null, null, null, null),
                secrets,
                creating: false,
                cancellationToken
            );
    }

    /// <summary><c>DELETE /api/providers/{id}</c>: refused (409, naming the agents) while agents use the
    /// provider.</summary>
    public static async Task<IResult> DeleteAsync(
        Guid id,
        IDbContextFactory<SkeinDbContext> contexts,
        SecretStore secrets,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var provider = await db.LlmProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (provider is null)
        {
            return Problems.From(DomainError.NotFound("llm provider", id));
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
            return Problems.From(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"agents use this provider ({names}); move them to another first"
                )
            );
        }

        await db.LlmProviders.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);

        // A key secret Skein generated for this provider has no other use.
        await secrets.DeleteAsync(provider.TenantId, GeneratedKeySecretName(id), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> TestAsync(
        Guid id,
        IDbContextFactory<SkeinDbContext> contexts,
        SecretStore secrets,
        ProviderConnectionTest test,
        CancellationToken cancellationToken
    )
    {
        LlmProviderRow? provider;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            provider = await db.LlmProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        }

        if (provider is null)
        {
            return Problems.From(DomainError.NotFound("llm provider", id));
        }

        var key = provider.ApiKeySecretName is { } name
            ? await secrets.GetAsync(provider.TenantId, name, cancellationToken)
            : null;
        var result = await test.RunAsync(provider, key, cancellationToken);

        // An endpoint's own error text could quote what it was sent; the key stays out of the answer.
        return TypedResults.Ok(
            key is null || result.Error is null
                ? result
                : result with
                {
                    Error = result.Error.Replace(key, "[redacted]", StringComparison.Ordinal),
                }
        );
    }

    private static async Task<IResult> SaveAsync(
        SkeinDbContext db,
        LlmProviderRow provider,
        ProviderBody body,
        SecretStore secrets,
        bool creating,
        CancellationToken cancellationToken
    )
    {
        if (body.Name is not null && (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200))
        {
            return Problems.Invalid("a provider name is 1 to 200 characters, not blank");
        }

        if (body.Kind is not null && body.Kind is not (ModelClientFactory.Scripted or ModelClientFactory.OpenAI))
        {
            return Problems.Invalid("kind must be 'scripted' or 'openai'");
        }

        if (
            body.BaseUrl is { Length: > 0 } url
            && (
                !Uri.TryCreate(url, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https")
                || url.Length > 2000
            )
        )
        {
            return Problems.Invalid("baseUrl must be an absolute http(s) URL");
        }

        if (body.ApiKeySecretName is { Length: > 0 } secretName && !SecretStore.IsValidName(secretName))
        {
            return Problems.Invalid("apiKeySecretName is not a valid secret name");
        }

        if (body.Models is { } models && models.Any(m => string.IsNullOrWhiteSpace(m) || m.Length > 200))
        {
            return Problems.Invalid("models are non-blank model ids of at most 200 characters");
        }

        var previousSecret = provider.ApiKeySecretName;
        provider.Name = body.Name ?? provider.Name;
        provider.Kind = body.Kind ?? provider.Kind;
        provider.BaseUrl =
            body.BaseUrl is null ? provider.BaseUrl
            : body.BaseUrl.Length == 0 ? null
            : body.BaseUrl;
        provider.ApiKeySecretName =
            body.ApiKeySecretName is null ? provider.ApiKeySecretName
            : body.ApiKeySecretName.Length == 0 ? null
            : body.ApiKeySecretName;
        provider.Models = body.Models is null ? provider.Models : JsonSerializer.Serialize(body.Models);
        if (
            await db.LlmProviders.AnyAsync(
                p => p.TenantId == provider.TenantId && p.Name == provider.Name && p.Id != provider.Id,
                cancellationToken
            )
        )
        {
            return Problems.From(
                new DomainError(DomainErrorCodes.Conflict, $"a provider named '{provider.Name}' exists")
            );
        }

        if (body.ApiKey is { Length: > 0 } key)
        {
            // A key given inline is written to a secret the provider points at: it is stored once, encrypted, and never
            // echoed.
            provider.ApiKeySecretName ??= GeneratedKeySecretName(provider.Id);
            await secrets.SetAsync(provider.TenantId, provider.ApiKeySecretName, key, cancellationToken);
        }

        if (creating)
        {
            db.LlmProviders.Add(provider);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (
            previousSecret is not null
            && previousSecret == GeneratedKeySecretName(provider.Id)
            && provider.ApiKeySecretName != previousSecret
        )
        {
            // The key was removed (or pointed elsewhere): the generated secret holding it would only linger.
            await secrets.DeleteAsync(provider.TenantId, previousSecret, cancellationToken);
        }

        return creating
            ? TypedResults.Created($"/api/providers/{provider.Id}", ProviderView.From(provider))
            : TypedResults.Ok(ProviderView.From(provider));
    }
}
