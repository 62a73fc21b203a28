namespace Skein.Manifests.Planning;

/// <summary>The names under which a manifest's secrets are stored; rows refer to secrets by these names only.</summary>
public static class SecretNames
{
    public static string ProviderApiKey(string provider) => $"llm-provider-{provider}-api-key";

    public static string ServiceAuth(string service) => $"service-{service}-auth";

    public static string EventSigning(string agent, string trigger) => $"trigger-{agent}-{trigger}-signing-secret";

    /// <summary>An input key for an exported secret: letters, digits and underscores.</summary>
    public static string InputKey(params string[] parts) =>
        string.Join(
            "_",
            parts.Select(p => new string([
                .. p.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_'),
            ]))
        );
}
