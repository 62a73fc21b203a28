using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Skein.Application.ApiKeys;
using Skein.Application.Workspaces;
using Skein.Core.Triggers;
using Skein.Engine.Models;
using Skein.Server.Api.Admin;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Secrets;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>
/// Settings: API keys (created through the same code as <c>POST /api/keys</c>; the secret is shown once, in
/// the response to the create, and never stored in a cookie), retention and plan limits, providers, secrets.
/// </summary>
public sealed partial class IndexModel(
    IDbContextFactory<SkeinDbContext> contexts,
    ApiKeyService keys,
    WorkspaceSettingsService workspace,
    SessionQueries sessions,
    SecretStore secrets,
    ProviderConnectionTest connectionTest,
    TimeProvider time
) : PageModel
{
    public sealed record ProviderItem(
        Guid Id,
        string Name,
        string Kind,
        string? BaseUrl,
        bool HasKey,
        IReadOnlyList<string> Models,
        DateTime CreatedAt
    );

    public IReadOnlyList<ProviderItem> Providers { get; private set; } = [];

    /// <summary>Secret names and times only: values never leave the secret store.</summary>
    public IReadOnlyList<SecretInfo> Secrets { get; private set; } = [];

    public string? Notice { get; private set; }

    public IReadOnlyList<string> Problems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Notice = TempData["Notice"] as string;
        Problems = TempData["Problem"] is string problem ? [problem] : [];
        await LoadAsync(cancellationToken);
    }

    /// <summary>Creates or replaces a secret. The value is write-only: the page never renders it back.</summary>
    public async Task<IActionResult> OnPostSecretAsync(
        string? secretName,
        string? secretValue,
        CancellationToken cancellationToken
    )
    {
        var name = secretName?.Trim();
        if (
            !SecretStore.IsValidName(name)
            || string.IsNullOrEmpty(secretValue)
            || secretValue.Length > SecretStore.MaxValueLength
        )
        {
            TempData["Notice"] =
                $"A secret needs a name of 1 to {SecretStore.MaxNameLength} letters, digits, '.', '_' or '-', and a value of 1 to {SecretStore.MaxValueLength} characters.";
            return Redirect("/settings#secrets");
        }

        await secrets.SetAsync(
            await sessions.DefaultTenantAsync(cancellationToken),
            name!,
            secretValue,
            cancellationToken
        );
        TempData["Notice"] = $"Secret {name} saved.";
        return Redirect("/settings#secrets");
    }

    public async Task<IActionResult> OnPostDeleteSecretAsync(string? secretName, CancellationToken cancellationToken)
    {
        var deleted =
            secretName is { Length: > 0 }
            && await secrets.DeleteAsync(
                await sessions.DefaultTenantAsync(cancellationToken),
                secretName,
                cancellationToken
            );
        TempData["Notice"] = deleted ? $"Secret {secretName} deleted." : "That secret does not exist.";
        return Redirect("/settings#secrets");
    }

    /// <summary>The connection test of <c>POST /api/providers/{id}/test</c>, answered as a notice; the key never
    /// appears in it.</summary>
    public async Task<IActionResult> OnPostTestProviderAsync(Guid providerId, CancellationToken cancellationToken)
    {
        LlmProviderRow? provider;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            provider = await db
                .LlmProviders.AsNoTracking()
                .FirstOrDefaultAsync(p => p.Id == providerId, cancellationToken);
        }

        if (provider is null)
        {
            TempData["Notice"] = "That provider does not exist.";
            return Redirect("/settings#providers");
        }

        var key = provider.ApiKeySecretName is { } name
            ? await secrets.GetAsync(provider.TenantId, name, cancellationToken)
            : null;
        var result = await connectionTest.RunAsync(provider, key, cancellationToken);
        var error =
            key is null || result.Error is null
                ? result.Error
                : result.Error.Replace(key, "[redacted]", StringComparison.Ordinal);
        TempData["Notice"] = result.Ok
            ? $"Connection to {provider.Name}: ok in {result.LatencyMs} ms ({result.Models.Count} models)."
            : $"Connection to {provider.Name} failed: {error}";
        return Redirect("/settings#providers");
    }

    /// <summary>Adds a provider through the code of <c>POST /api/providers</c>; an API key given here is stored as a
    /// secret, never rendered back.</summary>
    public async Task<IActionResult> OnPostAddProviderAsync(
        string? providerName,
        string? providerKind,
        string? providerBaseUrl,
        string? providerApiKey,
        string? providerModels,
        CancellationToken cancellationToken
    )
    {
        var body = new ProviderAdminEndpoints.ProviderBody(
            providerName?.Trim(),
            providerKind,
            Blank(providerBaseUrl),
            null,
            Blank(providerApiKey),
            ModelList(providerModels)
        );
        return ProviderOutcome(
            await ProviderAdminEndpoints.CreateAsync(body, contexts, secrets, time, cancellationToken),
            $"Provider {providerName?.Trim()} added.",
            "added"
        );
    }

    /// <summary>Edits a provider (<c>PUT /api/providers/{id}</c>): an empty key field keeps the stored key; removeKey
    /// drops it.</summary>
    public async Task<IActionResult> OnPostEditProviderAsync(
        Guid providerId,
        string? providerName,
        string? providerKind,
        string? providerBaseUrl,
        string? providerApiKey,
        string? providerModels,
        bool removeKey,
        CancellationToken cancellationToken
    )
    {
        var key = Blank(providerApiKey);
        var body = new ProviderAdminEndpoints.ProviderBody(
            providerName?.Trim(),
            providerKind,
            providerBaseUrl?.Trim() ?? "",
            removeKey && key is null ? "" : null,
            key,
            ModelList(providerModels)
        );
        return ProviderOutcome(
            await ProviderAdminEndpoints.UpdateAsync(providerId, body, contexts, secrets, cancellationToken),
            $"Provider {providerName?.Trim()} saved.",
            "saved"
        );
    }

    /// <summary>Deletes a provider; refused with the API's message while agents use it.</summary>
    public async Task<IActionResult> OnPostDeleteProviderAsync(
        Guid providerId,
        string? providerName,
        CancellationToken cancellationToken
    ) =>
        ProviderOutcome(
            await ProviderAdminEndpoints.DeleteAsync(providerId, contexts, secrets, cancellationToken),
            $"Provider {providerName} deleted.",
            "deleted"
        );

    private IActionResult ProviderOutcome(IResult result, string done, string verb)
    {
        if (result is ProblemHttpResult problem)
        {
            TempData["Problem"] =
                $"The provider was not {verb}: " + (problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title);
        }
        else
        {
            TempData["Notice"] = done;
        }

        return Redirect("/settings#providers");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>Model ids typed one per line or comma separated.</summary>
    private static List<string> ModelList(string? text) =>
        [
            .. (text ?? "")
                .Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal),
        ];

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        await LoadWorkspaceAsync(cancellationToken);
        await LoadApiKeysAsync(cancellationToken);
        Secrets = await secrets.ListAsync(tenant, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var providers = await db
            .LlmProviders.AsNoTracking()
            .Where(p => p.TenantId == tenant)
            .OrderBy(p => p.Name)
            .ToListAsync(cancellationToken);
        Providers =
        [
            .. providers.Select(p => new ProviderItem(
                p.Id,
                p.Name,
                p.Kind,
                p.BaseUrl,
                p.ApiKeySecretName != null,
                JsonSerializer.Deserialize<List<string>>(p.Models) ?? [],
                p.CreatedAt
            )),
        ];
    }
}
