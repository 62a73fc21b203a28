using Skein.Core.Operators;

namespace Skein.Core.Users;

/// <summary>What a user and a personal token must be, wherever one is created or changed (API, Members page).</summary>
public static class UserRules
{
    public const int MaxEmailLength = 200;
    public const int MaxDisplayNameLength = 100;
    public const int MaxTokenNameLength = 100;
    public const int DefaultTokenDays = 30;
    public const int MaxTokenDays = 365;

    /// <summary>The prefix of every personal management token.</summary>
    public const string TokenPrefix = "skt_";

    /// <summary>The name the built-in account signs in with (created on first start).</summary>
    public const string BuiltInAdmin = "admin";

    /// <summary>The stored spelling of an email: trimmed, lower case (sign-in is case-insensitive).</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Why a new user cannot be created with these values, or null.</summary>
    public static DomainError? CheckNew(string? email, string? displayName, string? password) =>
        CheckEmail(email) ?? CheckDisplayName(displayName) ?? CheckPassword(password);

    public static DomainError? CheckEmail(string? email)
    {
        var trimmed = email?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxEmailLength)
        {
            return DomainError.Invalid($"an email has 1 to {MaxEmailLength} characters");
        }

        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 || at == trimmed.Length - 1 || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? DomainError.Invalid($"'{trimmed}' is not an email address")
            : null;
    }

    public static DomainError? CheckDisplayName(string? displayName) =>
        string.IsNullOrWhiteSpace(displayName)
        || displayName.Trim().Length > MaxDisplayNameLength
        || displayName.Any(char.IsControl)
            ? DomainError.Invalid($"a display name has 1 to {MaxDisplayNameLength} characters, none a control one")
            : null;

    public static DomainError? CheckPassword(string? password) =>
        password is null ? DomainError.Invalid("a password is required") : PasswordRules.Check(password);

    /// <summary>The built-in admin keeps its role and cannot be disabled, so the server always has an Admin;
    /// its password is <c>SKEIN_ADMIN_PASSWORD</c>'s.</summary>
    public static DomainError? CheckChange(bool builtIn, Role? role, bool? disabled, bool passwordReset) =>
        builtIn && ((role is { } r && r != Role.Admin) || disabled == true || passwordReset)
            ? DomainError.Conflict(
                "the built-in admin stays an enabled Admin; its password is set with SKEIN_ADMIN_PASSWORD"
            )
            : null;

    /// <summary>A token's lifetime in days (default <see cref="DefaultTokenDays"/>), or why it is refused.</summary>
    public static Result<int> TokenDays(string? name, int? expiresInDays)
    {
        // Control characters (NUL) are refused here: PostgreSQL cannot store them in text (a 500 otherwise).
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxTokenNameLength || name.Any(char.IsControl))
        {
            return DomainError.Invalid($"a token name has 1 to {MaxTokenNameLength} characters, none a control one");
        }

        var days = expiresInDays ?? DefaultTokenDays;
        return days is < 1 or > MaxTokenDays
            ? DomainError.Invalid($"expiresInDays is between 1 and {MaxTokenDays}")
            : days;
    }

    /// <summary>Whether a token is usable at <paramref name="now"/>.</summary>
    public static bool TokenValid(DateTime expiresAt, DateTime? revokedAt, bool userDisabled, DateTime now) =>
        revokedAt is null && !userDisabled && now < expiresAt;
}
