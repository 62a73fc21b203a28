namespace Skein.Store.Rows;

/// <summary>
/// A dashboard user (SPEC section 10). Only a salted PBKDF2 hash of the password is stored. The built-in
/// <c>admin</c> keeps its password hash in <c>server_settings</c> (as before users existed), so its row's
/// <see cref="PasswordHash"/> is empty. <see cref="Stamp"/> changes when the password is reset or the user is
/// disabled, which ends the cookies issued before.
/// </summary>
public sealed class UserRow
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public bool Disabled { get; set; }
    public bool BuiltIn { get; set; }
    public required string Stamp { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A personal management token (<c>skt_…</c>): only its SHA-256 hash and a recognisable prefix are
/// kept.</summary>
public sealed class UserTokenRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
