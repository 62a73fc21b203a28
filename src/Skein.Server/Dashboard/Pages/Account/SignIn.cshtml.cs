using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Account;

public sealed class SignInModel(OperatorAccount account, ILogger<SignInModel> logger) : PageModel
{
    public string? Error { get; private set; }

    public string? Username { get; private set; }

    [FromQuery(Name = "ReturnUrl")]
    public string? ReturnUrl { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(
        string? username,
        string? password,
        string? returnUrl,
        CancellationToken cancellationToken
    )
    {
        Username = username;
        ReturnUrl = returnUrl;
        var remote = HttpContext.Connection.RemoteIpAddress?.ToString();
        if (!await account.VerifyAsync(username, password, cancellationToken))
        {
            DashboardLog.SignInFailed(logger, username, remote);
            Error = "Wrong user name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, OperatorAccount.AdminName)],
            DashboardAuth.Scheme
        );
        await HttpContext.SignInAsync(DashboardAuth.Scheme, new ClaimsPrincipal(identity));
        DashboardLog.SignedIn(logger, OperatorAccount.AdminName, remote);

        // Only local paths: a crafted returnUrl must not send the operator to another site.
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
