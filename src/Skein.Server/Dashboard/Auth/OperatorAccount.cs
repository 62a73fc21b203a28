using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Skein.Store;

namespace Skein.Server.Dashboard.Auth;

/// <summary>
/// The dashboard's operator account <c>admin</c>. Only a salted PBKDF2 hash (ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/>) is stored, in <c>server_settings</c>, so every node shares it.
/// </summary>
public sealed class OperatorAccount(ServerSettings settings, SecurityStamps stamps)
{
    public const string AdminName = "admin";
    public const string HashKey = "dashboard.admin.password_hash";

    private static readonly PasswordHasher<string> Hasher = new();

    /// <summary>Whether <paramref name="name"/> names an account (only those are locked out after failures).</summary>
    public static bool Exists(string? name) => name == AdminName;

    /// <summary>True when the name is the admin's and the password matches the stored hash.</summary>
    public async Task<bool> VerifyAsync(string? name, string? password, CancellationToken cancellationToken)
    {
        if (name != AdminName || string.IsNullOrEmpty(password))
        {
            return false;
        }

        var hash = await settings.GetAsync(HashKey, cancellationToken);
        return hash is not null
            && Hasher.VerifyHashedPassword(AdminName, hash, password) != PasswordVerificationResult.Failed;
    }

    /// <summary>
    /// First start: the password from <c>SKEIN_ADMIN_PASSWORD</c>, or a generated one that the caller prints
    /// once (returned). When the variable is set it always wins, so an operator can reset the password by
    /// restarting with it. Returns null when nothing new must be shown.
    /// </summary>
    public async Task<string?> EnsureAsync(string? configured, CancellationToken cancellationToken)
    {
        var stored = await settings.GetAsync(HashKey, cancellationToken);
        if (
            stored is not null
            && (
                configured is null
                || Hasher.VerifyHashedPassword(AdminName, stored, configured) != PasswordVerificationResult.Failed
            )
        )
        {
            return null;
        }

        var password = configured
            ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        var hash = Hasher.HashPassword(AdminName, password);

        // A first start racing another node: the account it created stands.
        if (!await settings.SetAsync(HashKey, hash, onlyIfAbsent: stored is null, cancellationToken))
        {
            return null;
        }

        // A new password ends every cookie issued under the old one.
        await stamps.RotateAsync(AdminName, cancellationToken);

        return configured is null ? password : null;
    }
}
