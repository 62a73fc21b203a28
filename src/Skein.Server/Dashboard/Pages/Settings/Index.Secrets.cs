using Microsoft.AspNetCore.Mvc;
using Skein.Core;
using Skein.Core.Secrets;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>The Secrets section, through the secret service behind <c>/api/secrets</c>. Values are write-only: the
/// page never renders one back.</summary>
public sealed partial class IndexModel
{
    public async Task<IActionResult> OnPostSecretAsync(
        string? secretName,
        string? secretValue,
        CancellationToken cancellationToken
    )
    {
        var name = secretName?.Trim();
        var set = await secrets.SetAsync(DashboardAuth.Actor(User), name, secretValue, cancellationToken);
        TempData[set.IsSuccess ? "Notice" : "Problem"] =
            set.IsSuccess ? $"Secret {name} saved."
            : set.Error.Code == DomainErrorCodes.InvalidInput
                ? $"A secret needs a name of 1 to {SecretRules.MaxNameLength} letters, digits, '.', '_' or '-', "
                    + $"and a value of 1 to {SecretRules.MaxValueLength} characters."
            : set.Error.Message;
        return Redirect("/settings#secrets");
    }

    public async Task<IActionResult> OnPostDeleteSecretAsync(string? secretName, CancellationToken cancellationToken)
    {
        var deleted = await secrets.DeleteAsync(DashboardAuth.Actor(User), secretName, cancellationToken);
        TempData[deleted.IsSuccess ? "Notice" : "Problem"] = deleted.IsSuccess
            ? $"Secret {secretName} deleted."
            : "That secret does not exist.";
        return Redirect("/settings#secrets");
    }
}
