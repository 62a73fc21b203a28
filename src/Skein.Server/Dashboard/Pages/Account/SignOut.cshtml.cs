using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Core.Users;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Account;

[Requires(Capability.Self)]
public sealed class SignOutModel(SecurityStamps stamps) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    /// <summary>Rotates the operator's security stamp first, so a copy of the cookie stops working too.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (User.Identity?.Name is { } user)
        {
            await stamps.RotateAsync(user, cancellationToken);
        }

        await HttpContext.SignOutAsync(DashboardAuth.Scheme);
        return Redirect("/signin");
    }
}
