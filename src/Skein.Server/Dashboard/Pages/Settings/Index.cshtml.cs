using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Skein.Application.Providers;
using Skein.Application.Secrets;
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
public sealed partial class IndexModel(
    IDbContextFactory<SkeinDbContext> contexts,
    ApiKeyService keys,
    WorkspaceSettings workspace,
    SessionQueries sessions,
    SecretService secrets,
    ProviderService providers
) : PageModel
{
    public sealed record ApiTriggerChoice(Guid AgentId, Guid TriggerId, string AgentName);

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
        Secrets = await secrets.ListAsync(cancellationToken);
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
        Providers = await LoadProvidersAsync(cancellationToken);
    }
}
