namespace Skein.Core.Secrets;

/// <summary>Secret names appear in URLs and settings; values are bounded so a secret stays a credential.</summary>
public static class SecretRules
{
    public const int MaxNameLength = 200;
    public const int MaxValueLength = 16 * 1024;

    /// <summary>1 to 200 characters of letters, digits, '.', '_' and '-'.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxNameLength
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public static DomainError? Check(string? name, string? value)
    {
        if (!IsValidName(name))
        {
            return DomainError.Invalid(
                $"a secret name is 1 to {MaxNameLength} characters of letters, digits, '.', '_' and '-'"
            );
        }

        return value is not { Length: > 0 } || value.Length > MaxValueLength
            ? DomainError.Invalid($"a secret needs a non-empty value of at most {MaxValueLength} characters")
            : null;
    }
}
