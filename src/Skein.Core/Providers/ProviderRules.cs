namespace Skein.Core.Providers;

/// <summary>The kinds of LLM provider Skein can talk to.</summary>
public static class ProviderKinds
{
    public const string Scripted = "scripted";
    public const string OpenAI = "openai";

    /// <summary>Anthropic's native Messages API (<c>POST {baseUrl}/v1/messages</c>).</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Every kind, in the order forms list them.</summary>
    public static readonly IReadOnlyList<string> All = [OpenAI, Anthropic, Scripted];

    public static bool IsKnown(string kind) => kind is Scripted or OpenAI or Anthropic;

    /// <summary>The kinds as a fragment for error messages: <c>'openai', 'anthropic' or 'scripted'</c>.</summary>
    public static string Listed => "'openai', 'anthropic' or 'scripted'";
}

/// <summary>Where an <c>anthropic</c> provider's requests go.</summary>
public static class AnthropicEndpoint
{
    public const string DefaultRoot = "https://api.anthropic.com";

    /// <summary>
    /// The API root the SDK appends <c>/v1/messages</c> to. A base URL written with its <c>/v1</c> (as OpenAI-style
    /// base URLs are) is accepted too, so both <c>https://api.anthropic.com</c> and <c>…/v1</c> reach the same route.
    /// </summary>
    public static string Root(string? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            return DefaultRoot;
        }

        var root = baseUrl.TrimEnd('/');
        return root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root[..^3] : root;
    }
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
            return DomainError.Invalid($"kind must be {ProviderKinds.Listed}");
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
