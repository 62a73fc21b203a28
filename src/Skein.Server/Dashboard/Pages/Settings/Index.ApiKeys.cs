using Microsoft.AspNetCore.Mvc;
using Skein.Application.ApiKeys;
using Skein.Core;
using Skein.Server.Dashboard.Auth;
using Skein.Store.ApiKeys;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>The API keys card: create (the secret is shown once, in the answer to the create, never in a cookie),
/// list and revoke, through <see cref="ApiKeyService"/>.</summary>
public sealed partial class IndexModel
{
    public IReadOnlyList<ApiKeyView> Keys { get; private set; } = [];

    public IReadOnlyList<ApiKeyService.ScopeChoice> ApiTriggers { get; private set; } = [];

    public string? CreatedSecret { get; private set; }

    private IReadOnlyDictionary<Guid, string> _agentNames = new Dictionary<Guid, string>();

    public IEnumerable<string> ScopesOf(Guid keyId) =>
        Keys.Where(k => k.Id == keyId)
            .SelectMany(k => k.Scopes)
            .Select(s => _agentNames.GetValueOrDefault(s.AgentId, "?"));

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
            .Select(p => (ApiKeyStore.Scope?)new ApiKeyStore.Scope(Guid.Parse(p[0]), Guid.Parse(p[1])))
            .ToList();
        var created = await keys.CreateAsync(name, pairs, allowFileUploads, KeyActor, cancellationToken);
        if (created.IsSuccess)
        {
            CreatedSecret = created.Value.Secret;
            Notice = $"Key '{name}' created.";
        }
        else
        {
            Problems = [created.Error.Message];
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var revoked = await keys.RevokeAsync(keyId, KeyActor, cancellationToken);
        TempData[revoked.IsSuccess ? "Notice" : "Problem"] = revoked.IsSuccess
            ? "Key revoked."
            : "That key does not exist.";
        return Redirect("/settings");
    }

    private Actor KeyActor => DashboardAuth.Actor(User);

    private async Task LoadApiKeysAsync(CancellationToken cancellationToken)
    {
        Keys = [.. (await keys.ListAsync(cancellationToken)).OrderByDescending(k => k.CreatedAt)];
        ApiTriggers = await keys.ScopeChoicesAsync(cancellationToken);
        _agentNames = await keys.AgentNamesAsync(cancellationToken);
    }
}
