namespace Skein.Store.Rows;

/// <summary>Named model credentials. <see cref="Kind"/> is <c>scripted</c> or <c>openai</c>.</summary>
public sealed class LlmProviderRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string? BaseUrl { get; set; }

    /// <summary>API key. Written only through the provider settings; never returned by any API.</summary>
    public string? ApiKey { get; set; }

    public DateTime CreatedAt { get; set; }
}
