using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Application.ApiKeys;
using Skein.Application.Providers;
using Skein.Application.Secrets;
using Skein.Application.Workspaces;
using Skein.Core.Users;
using Skein.Server.Dashboard.Auth;
using Skein.Store.Secrets;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>
/// Settings: API keys (the secret is shown once, in the response to the create, and never stored in a cookie),
/// retention and plan limits, providers, secrets; one partial file per card, each over its application service.
/// </summary>
[Requires(Capability.Develop)]
public sealed partial class IndexModel(
    ApiKeyService keys,
    WorkspaceSettingsService workspace,
    SecretService secrets,
    ProviderService providers
) : PageModel
{
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

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await LoadWorkspaceAsync(cancellationToken);
        await LoadApiKeysAsync(cancellationToken);
        Secrets = await secrets.ListAsync(cancellationToken);
        Providers = await LoadProvidersAsync(cancellationToken);
    }
}
