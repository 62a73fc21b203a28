using System.Net.Http.Headers;
using System.Text.Json;
using Skein.Store.Rows;

namespace Skein.Engine.Models;

/// <summary>
/// The settings page's "Test connection": lists the endpoint's models with the provider's key: <c>openai</c> asks
/// <c>GET {baseUrl}/models</c> (Bearer key), <c>anthropic</c> asks <c>GET {root}/v1/models</c> (<c>x-api-key</c> and
/// <c>anthropic-version</c>). Both answer <c>{data: [{id}]}</c>. Every outcome is a result, never an exception; the
/// key never appears in it.
/// </summary>
public sealed class ProviderConnectionTest(IHttpClientFactory http, TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The Messages API version header every Anthropic request carries.</summary>
    public const string AnthropicVersion = "2023-06-01";

    public async Task<ConnectionTestResult> RunAsync(
        LlmProviderRow provider,
        string? apiKey,
        CancellationToken cancellationToken
    )
    {
        if (provider.Kind == ModelClientFactory.Scripted)
        {
            return new ConnectionTestResult(true, provider.Kind, ["skein-scripted"], null, 0);
        }

        if (provider.Kind is not (ModelClientFactory.OpenAI or ModelClientFactory.Anthropic))
        {
            return new ConnectionTestResult(false, provider.Kind, [], $"unknown provider kind '{provider.Kind}'", 0);
        }

        if (provider.ApiKeySecretName is { } name && apiKey is null)
        {
            return new ConnectionTestResult(false, provider.Kind, [], $"the key secret '{name}' is not set", 0);
        }

        var anthropic = provider.Kind == ModelClientFactory.Anthropic;
        var baseUrl =
            anthropic ? Core.Providers.AnthropicEndpoint.Root(provider.BaseUrl) + "/v1"
            : string.IsNullOrWhiteSpace(provider.BaseUrl) ? "https://api.openai.com/v1"
            : provider.BaseUrl;
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl.TrimEnd('/') + "/models");
            if (anthropic)
            {
                request.Headers.Add("anthropic-version", AnthropicVersion);
                if (!string.IsNullOrEmpty(apiKey))
                {
                    request.Headers.Add("x-api-key", apiKey);
                }
            }
            else if (!string.IsNullOrEmpty(apiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            using var response = await http.CreateClient(Tools.ToolCatalog.HttpClientName)
                .SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var elapsed = (long)time.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return new ConnectionTestResult(
                    false,
                    provider.Kind,
                    [],
                    $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {baseUrl}/models",
                    elapsed
                );
            }

            return new ConnectionTestResult(true, provider.Kind, ModelIds(body), null, elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ConnectionTestResult(
                false,
                provider.Kind,
                [],
                $"no answer from {baseUrl} within {Timeout.TotalSeconds:0} s",
                (long)time.GetElapsedTime(started).TotalMilliseconds
            );
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or UriFormatException)
        {
            return new ConnectionTestResult(
                false,
                provider.Kind,
                [],
                $"cannot reach {baseUrl}: {ex.Message}",
                (long)time.GetElapsedTime(started).TotalMilliseconds
            );
        }
    }

    /// <summary>Model ids from an OpenAI <c>{data: [{id}]}</c> list; an unexpected shape lists none but still counts as
    /// reachable.</summary>
    private static IReadOnlyList<string> ModelIds(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
                ?
                [
                    .. data.EnumerateArray()
                        .Select(m => m.TryGetProperty("id", out var id) ? id.GetString() : null)
                        .OfType<string>(),
                ]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

/// <summary>Outcome of a provider connection test.</summary>
public sealed record ConnectionTestResult(
    bool Ok,
    string Kind,
    IReadOnlyList<string> Models,
    string? Error,
    long LatencyMs
);
