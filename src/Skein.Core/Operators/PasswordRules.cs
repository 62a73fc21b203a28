namespace Skein.Core.Operators;

/// <summary>What a dashboard password must be, wherever one is set (today: <c>SKEIN_ADMIN_PASSWORD</c>).</summary>
public static class PasswordRules
{
    public const int MinLength = 12;

    /// <summary>Why <paramref name="password"/> cannot be a password, or null when it can.</summary>
    public static DomainError? Check(string password) =>
        password.Length < MinLength
            ? DomainError.Invalid($"a dashboard password has at least {MinLength} characters")
            : null;
}
