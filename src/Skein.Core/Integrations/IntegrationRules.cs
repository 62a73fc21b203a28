using Skein.Core.Secrets;

namespace Skein.Core.Integrations;

/// <summary><c>none</c>, <c>bearer</c> (<c>Authorization: Bearer</c>) or <c>header</c> (a named header).</summary>
public static class IntegrationAuthTypes
{
    public const string None = "none";
    public const string Bearer = "bearer";
    public const string Header = "header";

    public static bool IsKnown(string value) => value is None or Bearer or Header;
}

/// <summary>An integration's settings after a change: the merged values a rule is checked against.</summary>
public sealed record IntegrationSettings(
    string Name,
    string BaseUrl,
    string AuthType,
    string? AuthHeaderName,
    string? AuthSecretName
);

/// <summary>The rules of an HTTP integration: name, base URL and how it authenticates.</summary>
public static class IntegrationRules
{
    public const int MaxNameLength = 200;

    /// <summary>
    /// Checks the merged settings; <paramref name="nameChanged"/>/<paramref name="baseUrlChanged"/> say whether the
    /// change set them, so a stored value is not re-judged by a rule written after it was stored.
    /// </summary>
    public static DomainError? Check(IntegrationSettings s, bool nameChanged = true, bool baseUrlChanged = true)
    {
        if (
            nameChanged
            && (string.IsNullOrWhiteSpace(s.Name) || s.Name.Length > MaxNameLength || s.Name.Any(char.IsControl))
        )
        {
            return DomainError.Invalid(
                $"an integration name is 1 to {MaxNameLength} characters, not blank, no control characters"
            );
        }

        if (baseUrlChanged && !BaseUrl.IsValid(s.BaseUrl))
        {
            return DomainError.Invalid("baseUrl must be an absolute http(s) URL");
        }

        if (!IntegrationAuthTypes.IsKnown(s.AuthType))
        {
            return DomainError.Invalid("authType must be 'none', 'bearer' or 'header'");
        }

        if (s.AuthType != IntegrationAuthTypes.None && !SecretRules.IsValidName(s.AuthSecretName))
        {
            return DomainError.Invalid("authSecretName (the name of a secret) is required when authType is not 'none'");
        }

        return
            s.AuthType == IntegrationAuthTypes.Header
            && (
                string.IsNullOrWhiteSpace(s.AuthHeaderName)
                || s.AuthHeaderName.Length > 200
                || s.AuthHeaderName.Any(c => char.IsWhiteSpace(c) || c == ':')
            )
            ? DomainError.Invalid(
                "authHeaderName (a header name such as X-Api-Key) is required when authType is 'header'"
            )
            : null;
    }
}
