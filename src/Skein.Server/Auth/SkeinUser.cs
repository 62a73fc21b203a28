using System.Security.Claims;
using Skein.Application.Users;
using Skein.Core;
using Skein.Core.Users;

namespace Skein.Server.Auth;

/// <summary>
/// The claims every signed-in caller carries (dashboard cookie, bootstrap admin token, personal token) and what
/// is read from them: the user, their role, and the actor recorded on what they do.
/// </summary>
public static class SkeinUser
{
    /// <summary>The personal token a request used (absent for a cookie or the bootstrap token).</summary>
    public const string TokenClaim = "skein:token";

    /// <summary>The users-table stamp a sign-in cookie was issued under.</summary>
    public const string StampClaim = "skein:user_stamp";

    public static List<Claim> Claims(Guid userId, string email, Role role, Guid? tokenId = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, email),
            new(ClaimTypes.NameIdentifier, userId.ToString()),
            new(ClaimTypes.Role, role.ToString()),
        };
        if (tokenId is { } token)
        {
            claims.Add(new Claim(TokenClaim, token.ToString()));
        }

        return claims;
    }

    /// <summary>The caller's role; a principal without one (an old cookie) is a Viewer.</summary>
    public static Role RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse<Role>(user.FindFirstValue(ClaimTypes.Role), out var role) ? role : Role.Viewer;

    public static bool May(ClaimsPrincipal user, Capability capability) =>
        user.Identity?.IsAuthenticated == true && RoleRules.May(RoleOf(user), capability);

    public static Guid? UserId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>Who is acting, as recorded on events and audit entries: <c>operator:&lt;email&gt;</c>, with the
    /// token when one was used.</summary>
    public static Actor ActorOf(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? UserRules.BuiltInAdmin;
        return Guid.TryParse(user.FindFirstValue(TokenClaim), out var token)
            ? Actor.Token(name, token)
            : Actor.Operator(name);
    }

    public static Caller CallerOf(ClaimsPrincipal user) =>
        new(
            UserId(user) ?? Guid.Empty,
            user.Identity?.Name ?? "",
            RoleOf(user),
            Guid.TryParse(user.FindFirstValue(TokenClaim), out var token) ? token : null
        );
}
