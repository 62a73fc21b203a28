namespace Skein.Store.Rows;

/// <summary>Named model credentials. <see cref="Kind"/> is <c>scripted</c> or <c>openai</c>.</summary>
public sealed class LlmProviderRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string? BaseUrl { get; set; }

    /// <summary>Name of the secret holding the API key (the key itself is only in the secret store).</summary>
    public string? ApiKeySecretName { get; set; }

    /// <summary>
    /// A plaintext key stored before secrets existed. At start, <see cref="Secrets.LegacyProviderKeys"/> moves it into
    /// the secret store and clears it; nothing else reads it.
    /// </summary>
    public string? LegacyApiKey { get; set; }

    /// <summary>JSON array of the model ids offered for this provider.</summary>
    public string Models { get; set; } = "[]";

    /// <summary>JSON object of per-model prices, <c>{model: {inputPerMTok, outputPerMTok, cachedInputPerMTok}}</c>
    /// (SPEC section 12): a model step's <c>cost_usd</c> is computed from them.</summary>
    public string Prices { get; set; } = "{}";

    public DateTime CreatedAt { get; set; }
}
