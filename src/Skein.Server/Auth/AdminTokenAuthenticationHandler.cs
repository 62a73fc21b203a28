using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Skein.Application.Users;
using Skein.Core.Users;

namespace Skein.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer …</c> for the management API (<c>/api/...</c>): a personal token (<c>skt_…</c>) acts as
/// its user with their role; the bootstrap token (<c>SKEIN_ADMIN_TOKEN</c>) acts as the built-in Admin.
/// </summary>
public sealed class AdminTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminToken token,
    UserService users
) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var presented = header["Bearer ".Length..].Trim();
        if (presented.StartsWith(UserRules.TokenPrefix, StringComparison.Ordinal))
        {
            var caller = await users.AuthenticateTokenAsync(presented, Context.RequestAborted);
            return caller is null
                ? AuthenticateResult.Fail("unknown, expired or revoked token")
                : Success(SkeinUser.Claims(caller.UserId, caller.Email, caller.Role, caller.TokenId));
        }

        if (!token.Matches(presented))
        {
            return AuthenticateResult.Fail("invalid admin token");
        }

        var admin = await users.BuiltInAdminIdAsync(Context.RequestAborted);
        return Success(SkeinUser.Claims(admin, UserRules.BuiltInAdmin, Role.Admin));
    }

    private static AuthenticateResult Success(List<Claim> claims) =>
        AuthenticateResult.Success(
            new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)
        );
}
