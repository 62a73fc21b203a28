using Microsoft.AspNetCore.Mvc;
using Skein.Application.Providers;
using Skein.Core;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>
/// The Providers section: add, edit, delete and test through <see cref="ProviderService"/>, the code behind
/// <c>/api/providers</c>, so both refuse alike. A key typed here is stored as a secret and never rendered back.
/// </summary>
public sealed partial class IndexModel
{
    public sealed record ProviderItem(
        Guid Id,
        string Name,
        string Kind,
        string? BaseUrl,
        bool HasKey,
        IReadOnlyList<string> Models,
        DateTime CreatedAt
    )
    {
        /// <summary>The per-model prices as the form shows them: <c>model input output [cached]</c>, one per
        /// line.</summary>
        public string PriceLines { get; init; } = "";
    }

    /// <summary>The connection test of <c>POST /api/providers/{id}/test</c>, answered as a notice; the key never
    /// appears in it.</summary>
    public async Task<IActionResult> OnPostTestProviderAsync(Guid providerId, CancellationToken cancellationToken)
    {
        var tested = await providers.TestAsync(providerId, cancellationToken);
        TempData[tested is { IsSuccess: true, Value.Result.Ok: true } ? "Notice" : "Problem"] = tested switch
        {
            { IsSuccess: false, Error.Code: DomainErrorCodes.NotFound } => "That provider does not exist.",
            { IsSuccess: false } => tested.Error?.Message,
            { Value: { Result.Ok: true } t } =>
                $"Connection to {t.ProviderName}: ok in {t.Result.LatencyMs} ms ({t.Result.Models.Count} models).",
            { Value: { } t } => $"Connection to {t.ProviderName} failed: {t.Result.Error}",
            _ => null,
        };
        return Redirect("/settings#providers");
    }

    public async Task<IActionResult> OnPostAddProviderAsync(
        string? providerName,
        string? providerKind,
        string? providerBaseUrl,
        string? providerApiKey,
        string? providerModels,
        string? providerPrices,
        CancellationToken cancellationToken
    )
    {
        if (!PriceForm.TryParse(providerPrices, out var prices, out var bad))
        {
            TempData["Problem"] = "The provider was not added: " + bad;
            return Redirect("/settings#providers");
        }

        var change = new ProviderChange(
            providerName?.Trim(),
            providerKind,
            Blank(providerBaseUrl),
            null,
            Blank(providerApiKey),
            ModelList(providerModels)
        )
        {
            Prices = prices,
        };
        return ProviderOutcome(
            await providers.CreateAsync(DashboardAuth.Actor(User), change, cancellationToken),
            $"Provider {providerName?.Trim()} added.",
            "added"
        );
    }

    /// <summary>An empty key field keeps the stored key; removeKey drops it.</summary>
    public async Task<IActionResult> OnPostEditProviderAsync(
        Guid providerId,
        string? providerName,
        string? providerKind,
        string? providerBaseUrl,
        string? providerApiKey,
        string? providerModels,
        string? providerPrices,
        bool removeKey,
        CancellationToken cancellationToken
    )
    {
        if (!PriceForm.TryParse(providerPrices, out var prices, out var bad))
        {
            TempData["Problem"] = "The provider was not saved: " + bad;
            return Redirect("/settings#providers");
        }

        var key = Blank(providerApiKey);
        var change = new ProviderChange(
            providerName?.Trim(),
            providerKind,
            providerBaseUrl?.Trim() ?? "",
            removeKey && key is null ? "" : null,
            key,
            ModelList(providerModels)
        )
        {
            Prices = prices,
        };
        return ProviderOutcome(
            await providers.UpdateAsync(DashboardAuth.Actor(User), providerId, change, cancellationToken),
            $"Provider {providerName?.Trim()} saved.",
            "saved"
        );
    }

    /// <summary>Refused with the service's message while agents use the provider.</summary>
    public async Task<IActionResult> OnPostDeleteProviderAsync(
        Guid providerId,
        string? providerName,
        CancellationToken cancellationToken
    ) =>
        ProviderOutcome(
            await providers.DeleteAsync(DashboardAuth.Actor(User), providerId, cancellationToken),
            $"Provider {providerName} deleted.",
            "deleted"
        );

    private async Task<IReadOnlyList<ProviderItem>> LoadProvidersAsync(CancellationToken cancellationToken) =>
        [
            .. (await providers.ListAsync(cancellationToken)).Select(p => new ProviderItem(
                p.Id,
                p.Name,
                p.Kind,
                p.BaseUrl,
                p.ApiKeySecretName != null,
                p.Models,
                p.CreatedAt
            )
            {
                PriceLines = PriceForm.Format(p.Prices),
            }),
        ];

    private RedirectResult ProviderOutcome<T>(Result<T> result, string done, string verb)
    {
        if (result.IsSuccess)
        {
            TempData["Notice"] = done;
        }
        else
        {
            TempData["Problem"] = $"The provider was not {verb}: " + result.Error.Message;
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
}
