using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Skein.Application.Users;
using Skein.Server.Auth;

namespace Skein.Server.Dashboard.Auth;

/// <summary>
/// The users-table side of a sign-in cookie's check: a disabled user, or one whose password was reset (another
/// stamp), is signed out; a changed role applies to the next request. Users are cached for
/// <see cref="SecurityStamps.CacheFor"/>, and at once dropped after this node's own user writes.
/// </summary>
public sealed class UserCookies(UserService users, TimeProvider time)
{
    private const int MaxCached = 1000;
    private readonly ConcurrentDictionary<Guid, (UserView? User, DateTimeOffset Until)> _cache = new();
    private long _generation = -1;

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var id = principal is null ? null : SkeinUser.UserId(principal);
        var user = id is { } userId ? await GetAsync(userId, context.HttpContext.RequestAborted) : null;
        if (
            principal is null
            || user is null
            || user.Disabled
            || principal.FindFirstValue(SkeinUser.StampClaim) != user.SessionStamp
        )
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(context.Scheme.Name);
            return;
        }

        if (SkeinUser.RoleOf(principal) != user.Role)
        {
            var identity = new ClaimsIdentity(
                [
                    .. principal.Claims.Where(c => c.Type != ClaimTypes.Role),
                    new Claim(ClaimTypes.Role, user.Role.ToString()),
                ],
                context.Scheme.Name
            );
            context.ReplacePrincipal(new ClaimsPrincipal(identity));
            context.ShouldRenew = true;
        }
    }

    private async Task<UserView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var generation = users.Changes;
        if (Interlocked.Exchange(ref _generation, generation) != generation || _cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Until > now)
        {
            return cached.User;
        }

        var user = await users.GetAsync(id, cancellationToken);
        _cache[id] = (user, now + SecurityStamps.CacheFor);
        return user;
    }
}
