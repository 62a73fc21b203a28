using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Skein.Application.Users;
using Skein.Core.Users;
using Skein.Server.Auth;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Account;

/// <summary>The sign-in form. Rate-limited per client address by endpoint (so <c>/signin/</c> and <c>/SIGNIN</c> are
/// the same endpoint), and per account by <see cref="SignInLockout"/>.</summary>
[Requires(Capability.Self)]
[EnableRateLimiting(DashboardAuth.SignInRateLimit)]
public sealed class SignInModel(
    OperatorAccount account,
    UserService users,
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
        if (username is not null && lockout.LockedFor(UserRules.NormalizeEmail(username)) is { } locked)
        {
            // Locked accounts are not checked at all, so guessing during the lock learns nothing.
            var seconds = Math.Max(1, (int)Math.Ceiling(locked.TotalSeconds));
            DashboardLog.SignInLocked(logger, username, remote, seconds);
            Error = $"Too many failed sign-ins for this account; try again in {seconds} s.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }

        var user = await VerifyAsync(username, password, cancellationToken);
        if (user is null)
        {
            // Only names of real accounts are locked, so the lockout holds at most one entry per account.
            if (username is not null && await IsAccountAsync(username, cancellationToken))
            {
                lockout.Failed(UserRules.NormalizeEmail(username));
            }

            DashboardLog.SignInFailed(logger, username, remote);
            Error = "Wrong user name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        lockout.Succeeded(user.Email);
        var claims = SkeinUser.Claims(user.Id, user.Email, user.Role);
        claims.Add(new Claim(SecurityStamps.ClaimType, await stamps.CurrentAsync(user.Email, cancellationToken)));
        claims.Add(new Claim(SkeinUser.StampClaim, user.SessionStamp));
        await HttpContext.SignInAsync(
            DashboardAuth.Scheme,
            new ClaimsPrincipal(new ClaimsIdentity(claims, DashboardAuth.Scheme))
        );
        DashboardLog.SignedIn(logger, user.Email, remote);

        // Only local paths: a crafted returnUrl must not send the operator to another site.
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }

    private async Task<bool> IsAccountAsync(string username, CancellationToken cancellationToken) =>
        UserRules.NormalizeEmail(username) == UserRules.BuiltInAdmin
        || await users.FindAsync(username, cancellationToken) is not null;

    /// <summary>The built-in admin's password is <see cref="OperatorAccount"/>'s; every other user's is in the
    /// users table.</summary>
    private async Task<UserView?> VerifyAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        if (username is null || UserRules.NormalizeEmail(username) != UserRules.BuiltInAdmin)
        {
            return await users.VerifyPasswordAsync(username, password, cancellationToken);
        }

        return await account.VerifyAsync(UserRules.BuiltInAdmin, password, cancellationToken)
            ? await users.EnsureBuiltInAdminAsync(cancellationToken)
            : null;
    }
}
