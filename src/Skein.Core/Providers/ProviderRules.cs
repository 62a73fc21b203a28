namespace Skein.Core.Providers;

/// <summary>The kinds of LLM provider Skein can talk to.</summary>
public static class ProviderKinds
{
    public const string Scripted = "scripted";
    public const string OpenAI = "openai";

    public static bool IsKnown(string kind) => kind is Scripted or OpenAI;
}

/// <summary>The rules of an LLM provider's settings; a null field is one the change leaves as it is.</summary>
public static class ProviderRules
{
    public const int MaxNameLength = 200;
    public const int MaxModelIdLength = 200;

    public static DomainError? Check(string? name, string? kind, string? baseUrl, IReadOnlyList<string>? models)
    {
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength))
        {
            return DomainError.Invalid($"a provider name is 1 to {MaxNameLength} characters, not blank");
        }

        if (kind is not null && !ProviderKinds.IsKnown(kind))
        {
            return DomainError.Invalid("kind must be 'scripted' or 'openai'");
        }

        if (baseUrl is { Length: > 0 } url && !BaseUrl.IsValid(url))
        {
            return DomainError.Invalid("baseUrl must be an absolute http(s) URL");
        }

        return models is not null && models.Any(m => string.IsNullOrWhiteSpace(m) || m.Length > MaxModelIdLength)
            ? DomainError.Invalid($"models are non-blank model ids of at most {MaxModelIdLength} characters")
            : null;
    }

    /// <summary>The secret name an inline key is stored under; Skein owns it, so it goes with the provider.</summary>
    public static string GeneratedKeySecretName(Guid providerId) => $"provider-{providerId}-key";
}
