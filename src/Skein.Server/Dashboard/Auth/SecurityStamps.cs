using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Skein.Store;

namespace Skein.Server.Dashboard.Auth;

/// <summary>
/// Each operator's security stamp, stored in <c>server_settings</c> (shared by every node) and copied into the
/// sign-in cookie. A cookie whose stamp is not the current one is refused on its next request, so signing out
/// or changing the password ends every cookie issued before, on every node within <see cref="CacheFor"/>.
/// </summary>
public sealed class SecurityStamps(ServerSettings settings, TimeProvider time)
{
    public const string ClaimType = "skein:security_stamp";

    /// <summary>How long a node trusts the stamp it read (this node's own rotations apply at once).</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private const int MaxCached = 1000;

    private readonly ConcurrentDictionary<string, (string Stamp, DateTimeOffset Until)> _cache = new(
        StringComparer.Ordinal
    );

    /// <summary>The user's stamp, made on first use.</summary>
    public async Task<string> CurrentAsync(string user, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(user, out var cached) && cached.Until > time.GetUtcNow())
        {
            return cached.Stamp;
        }

        var stamp = await settings.GetAsync(Key(user), cancellationToken);
        if (stamp is null)
        {
            // A first use racing another node: whichever stamp was stored first stands.
            await settings.SetAsync(Key(user), NewStamp(), onlyIfAbsent: true, cancellationToken);
            stamp = await settings.GetAsync(Key(user), cancellationToken) ?? "";
        }

        Remember(user, stamp);
        return stamp;
    }

    /// <summary>Ends every cookie of the user: sign-out and password change.</summary>
    public async Task RotateAsync(string user, CancellationToken cancellationToken)
    {
        var stamp = NewStamp();
        await settings.SetAsync(Key(user), stamp, onlyIfAbsent: false, cancellationToken);
        Remember(user, stamp);
    }

    /// <summary>The cookie handler's check on every request: a missing or stale stamp signs the cookie out.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var stamps = context.HttpContext.RequestServices.GetRequiredService<SecurityStamps>();
        var user = context.Principal?.Identity?.Name;
        var presented = context.Principal?.FindFirstValue(ClaimType);
        var current = user is null ? null : await stamps.CurrentAsync(user, context.HttpContext.RequestAborted);
        if (
            presented is null
            || current is null
            || !CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(presented),
                Encoding.UTF8.GetBytes(current)
            )
        )
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(context.Scheme.Name);
            return;
        }

        await context.HttpContext.RequestServices.GetRequiredService<UserCookies>().ValidateAsync(context);
    }

    private void Remember(string user, string stamp)
    {
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[user] = (stamp, time.GetUtcNow() + CacheFor);
    }

    private static string Key(string user) => $"dashboard.{user}.security_stamp";

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
