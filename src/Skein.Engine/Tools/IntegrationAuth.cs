namespace Skein.Engine.Tools;

/// <summary>
/// The credential header an integration's calls carry, resolved from its secret. <see cref="Secret"/> is
/// kept so results and errors can be scrubbed of it: a server that echoes its request must not leak it.
/// </summary>
public sealed record IntegrationAuth(string? HeaderName, string? HeaderValue, string? Secret, string? Error)
{
    public static IntegrationAuth None { get; } = new(null, null, null, null);

    /// <summary>The integration wants auth but its secret is not set: every call fails with <paramref
    /// name="error"/>.</summary>
    public static IntegrationAuth Missing(string error) => new(null, null, null, error);

    public string Scrub(string text) =>
        string.IsNullOrEmpty(Secret) ? text : text.Replace(Secret, "[redacted]", StringComparison.Ordinal);

    // Records print their members; the credential must never reach a log line.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("HeaderName = ").Append(HeaderName).Append(", Error = ").Append(Error);
        return true;
    }
}
