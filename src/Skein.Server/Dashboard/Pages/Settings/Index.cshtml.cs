using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Triggers;
using Skein.Engine.Models;
using Skein.Server.Api.Admin;
using Skein.Server.Auth;
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
public sealed class IndexModel(
    IDbContextFactory<SkeinDbContext> contexts,
    ApiKeyService keys,
    WorkspaceSettings workspace,
    SessionQueries sessions,
    SecretStore secrets,
    ProviderConnectionTest connectionTest,
    TimeProvider time
) : PageModel
{
    public sealed record ApiTriggerChoice(Guid AgentId, Guid TriggerId, string AgentName);

    public sealed record ProviderItem(
        Guid Id,
        string Name,
        string Kind,
        string? BaseUrl,
        bool HasKey,
        IReadOnlyList<string> Models,
        DateTime CreatedAt
    );

    public IReadOnlyList<ApiKeyRow> Keys { get; private set; } = [];

    public IReadOnlyList<ApiKeyScopeRow> Scopes { get; private set; } = [];

    public IReadOnlyList<ApiTriggerChoice> ApiTriggers { get; private set; } = [];

    public IReadOnlyList<ProviderItem> Providers { get; private set; } = [];

    public WorkspaceRow Workspace { get; private set; } = null!;

    /// <summary>Secret names and times only: values never leave the secret store.</summary>
    public IReadOnlyList<SecretInfo> Secrets { get; private set; } = [];

    public string? CreatedSecret { get; private set; }

    public string? Notice { get; private set; }

    public IReadOnlyList<string> Problems { get; private set; } = [];

    private Dictionary<Guid, string> _agentNames = [];

    public IEnumerable<string> ScopesOf(Guid keyId) =>
        Scopes.Where(s => s.ApiKeyId == keyId).Select(s => _agentNames.GetValueOrDefault(s.AgentId, "?"));

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Notice = TempData["Notice"] as string;
        Problems = TempData["Problem"] is string problem ? [problem] : [];
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateKeyAsync(
        string? name,
        string[]? scopes,
        bool allowFileUploads,
        CancellationToken cancellationToken
    )
    {
        var pairs = (scopes ?? [])
            .Select(s => s.Split(':'))
            .Where(p => p.Length == 2 && Guid.TryParse(p[0], out _) && Guid.TryParse(p[1], out _))
            .Select(p => new AccessAdminEndpoints.ScopeBody(Guid.Parse(p[0]), Guid.Parse(p[1])))
            .ToList();
        var result = await AccessAdminEndpoints.CreateKeyAsync(
            new AccessAdminEndpoints.CreateKeyBody(name, pairs, allowFileUploads),
            keys,
            contexts,
            cancellationToken
        );
        switch (result)
        {
            case Created<AccessAdminEndpoints.CreatedKey> created:
                CreatedSecret = created.Value?.Secret;
                Notice = $"Key '{name}' created.";
                break;
            case ProblemHttpResult problem:
                Problems = [problem.ProblemDetails.Detail ?? "the key could not be created"];
                Response.StatusCode = StatusCodes.Status400BadRequest;
                break;
        }

        await LoadAsync(cancellationToken);
        return Page();
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

    public async Task<IActionResult> OnPostRevokeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        TempData["Notice"] = await keys.RevokeAsync(keyId, cancellationToken)
            ? "Key revoked."
            : "That key does not exist.";
        return Redirect("/settings");
    }

    public async Task<IActionResult> OnPostWorkspaceAsync(
        int retentionDays,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds,
        CancellationToken cancellationToken
    )
    {
        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        Problems = await workspace.UpdateAsync(
            tenant,
            retentionDays,
            maxActiveSessionSeconds,
            agentWaitBudgetSeconds,
            cancellationToken
        );
        if (Problems.Count == 0)
        {
            TempData["Notice"] = "Retention and plan limits saved.";
            return Redirect("/settings");
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        Workspace = await workspace.GetAsync(tenant, cancellationToken);
        Secrets = await secrets.ListAsync(tenant, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Keys = await db
            .ApiKeys.AsNoTracking()
            .Where(k => k.TenantId == tenant)
            .OrderByDescending(k => k.CreatedAt)
            .ToListAsync(cancellationToken);
        Scopes = await db.ApiKeyScopes.AsNoTracking().ToListAsync(cancellationToken);
        _agentNames = await db
            .Agents.AsNoTracking()
            .Where(a => a.TenantId == tenant)
            .ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
        var triggers = await db
            .Triggers.AsNoTracking()
            .Where(t => t.TenantId == tenant && t.Type == TriggerTypes.Api)
            .ToListAsync(cancellationToken);
        ApiTriggers =
        [
            .. triggers
                .Select(t => new ApiTriggerChoice(t.AgentId, t.Id, _agentNames.GetValueOrDefault(t.AgentId, "?")))
                .OrderBy(t => t.AgentName),
        ];
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
