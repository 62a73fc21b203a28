using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Account;

/// <summary>The sign-in form. Rate-limited per client address by endpoint (so <c>/signin/</c> and <c>/SIGNIN</c> are
/// the same endpoint), and per account by <see cref="SignInLockout"/>.</summary>
[EnableRateLimiting(DashboardAuth.SignInRateLimit)]
public sealed class SignInModel(
    OperatorAccount account,
    SignInLockout lockout,
    SecurityStamps stamps,
    ILogger<SignInModel> logger
) : PageModel
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
        if (username is not null && lockout.LockedFor(username) is { } locked)
        {
            // Locked accounts are not checked at all, so guessing during the lock learns nothing.
            var seconds = Math.Max(1, (int)Math.Ceiling(locked.TotalSeconds));
            DashboardLog.SignInLocked(logger, username, remote, seconds);
            Error = $"Too many failed sign-ins for this account; try again in {seconds} s.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }

        if (!await account.VerifyAsync(username, password, cancellationToken))
        {
            if (OperatorAccount.Exists(username))
            {
                lockout.Failed(username!);
            }

            DashboardLog.SignInFailed(logger, username, remote);
            Error = "Wrong user name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        lockout.Succeeded(OperatorAccount.AdminName);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, OperatorAccount.AdminName),
                new Claim(
                    SecurityStamps.ClaimType,
                    await stamps.CurrentAsync(OperatorAccount.AdminName, cancellationToken)
                ),
            ],
            DashboardAuth.Scheme
        );
        await HttpContext.SignInAsync(DashboardAuth.Scheme, new ClaimsPrincipal(identity));
        DashboardLog.SignedIn(logger, OperatorAccount.AdminName, remote);

        // Only local paths: a crafted returnUrl must not send the operator to another site.
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
