using System.Text.Json.Serialization;
using Skein.Core.Users;
using Skein.Store.Rows;

namespace Skein.Application.Users;

/// <summary>A user as management shows it (never the password hash).</summary>
public sealed record UserView(
    Guid Id,
    string Email,
    string DisplayName,
    Role Role,
    bool Disabled,
    bool BuiltIn,
    DateTime CreatedAt
)
{
    /// <summary>Changes when the password is reset or the user disabled: cookies carrying another stamp end.</summary>
    internal string Stamp { get; init; } = "";

    internal static UserView From(UserRow row) =>
        new(row.Id, row.Email, row.DisplayName, Enum.Parse<Role>(row.Role), row.Disabled, row.BuiltIn, row.CreatedAt)
        {
            Stamp = row.Stamp,
        };

    /// <summary>The stamp a sign-in cookie carries (never in an answer).</summary>
    [JsonIgnore]
    public string SessionStamp => Stamp;
}

/// <summary>A personal management token as listed (never its secret).</summary>
public sealed record UserTokenView(
    Guid Id,
    Guid UserId,
    string Name,
    string Prefix,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    DateTime? RevokedAt
)
{
    internal static UserTokenView From(UserTokenRow row) =>
        new(row.Id, row.UserId, row.Name, row.Prefix, row.CreatedAt, row.ExpiresAt, row.RevokedAt);
}

/// <summary>A token just created: its secret is shown this once.</summary>
public sealed record CreatedToken(UserTokenView Token, string Secret);

/// <summary>Who a request acts as: the user, their role, and the token used (null for a cookie or the bootstrap
/// admin token).</summary>
public sealed record Caller(Guid UserId, string Email, Role Role, Guid? TokenId);

/// <summary>A change of a user: only the values given change.</summary>
public sealed record UserChange(string? Role, bool? Disabled, string? DisplayName, string? Password);
