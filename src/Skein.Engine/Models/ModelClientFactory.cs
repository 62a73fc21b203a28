using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;
using Skein.Core.Agents;
using Skein.Engine.Telemetry;
using Skein.Store.Rows;

namespace Skein.Engine.Models;

/// <summary>
/// Builds the <see cref="IChatClient"/> a run talks to. <c>scripted</c> is the offline model;
/// <c>openai</c> is any OpenAI-compatible chat completions endpoint, over the named HttpClient that
/// carries the resilience pipeline (the SDK's own retries are off so there is one retry policy); <c>anthropic</c> is
/// Anthropic's Messages API through the official SDK's <see cref="IChatClient"/>, over the same HttpClient (egress
/// rules, no redirects, one retry policy).
/// </summary>
public sealed class ModelClientFactory(IHttpClientFactory http, TimeProvider time, SkeinMetrics metrics)
{
    public const string HttpClientName = "skein-models";
    public const string Scripted = Core.Providers.ProviderKinds.Scripted;
    public const string OpenAI = Core.Providers.ProviderKinds.OpenAI;
    public const string Anthropic = Core.Providers.ProviderKinds.Anthropic;

    /// <summary>Anthropic requires <c>max_tokens</c> on every request; the engine's per-run token budget still
    /// applies on top.</summary>
    public const int AnthropicMaxOutputTokens = 8192;

    private readonly ConcurrentDictionary<(Guid, string, string?, string?), IChatClient> _openAi = new();
    private readonly ConcurrentDictionary<(Guid, string, string?, string?), IChatClient> _anthropic = new();

    /// <param name="apiKey">The key read from the provider's secret (never stored on the row).</param>
    public IChatClient Create(VersionSnapshot version, LlmProviderRow provider, string? apiKey) =>
        provider.Kind switch
        {
            Scripted => new ScriptedChatClient(version.Script, version.Model, time),
            OpenAI => _openAi.GetOrAdd((provider.Id, version.Model, provider.BaseUrl, apiKey), _ =>
                CreateOpenAi(provider, version.Model, apiKey)
            ),
            Anthropic => _anthropic.GetOrAdd((provider.Id, version.Model, provider.BaseUrl, apiKey), _ =>
                CreateAnthropic(provider, version.Model, apiKey)
            ),
            _ => throw new InvalidOperationException($"unknown model provider kind '{provider.Kind}'"),
        };

    /// <summary>As <see cref="Create"/>, for one run: model calls are traced (<c>chat &lt;model&gt;</c>) and
    /// measured (GenAI client metrics) with the run's ids.</summary>
    public IChatClient CreateForRun(
        VersionSnapshot version,
        LlmProviderRow provider,
        string? apiKey,
        Guid sessionId,
        Guid runId
    ) =>
        new TelemetryChatClient(
            Create(version, provider, apiKey),
            metrics,
            provider.Kind,
            Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var endpoint) ? endpoint : null,
            sessionId,
            runId
        );

    private IChatClient CreateOpenAi(LlmProviderRow provider, string model, string? apiKey)
    {
        var options = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http.CreateClient(HttpClientName)),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrWhiteSpace(provider.BaseUrl))
        {
            options.Endpoint = new Uri(provider.BaseUrl);
        }

        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "unused" : apiKey), options);
        return client.GetChatClient(model).AsIChatClient();
    }

    private IChatClient CreateAnthropic(LlmProviderRow provider, string model, string? apiKey)
    {
        // Every setting explicit: the SDK would otherwise read ANTHROPIC_* environment variables of the host. The key
        // goes in x-api-key, which the Messages API and every Anthropic-compatible gateway accept (the SDK's own
        // ApiKey is sent as a Bearer token, which key-only gateways refuse).
        var options = new Anthropic.Core.ClientOptions
        {
            ApiKey = null,
            ExtraHeaders = string.IsNullOrEmpty(apiKey)
                ? new Dictionary<string, string>()
                : new Dictionary<string, string> { ["x-api-key"] = apiKey },
            BaseUrl = Core.Providers.AnthropicEndpoint.Root(provider.BaseUrl),
            HttpClient = http.CreateClient(HttpClientName),
            MaxRetries = 0,
            // The engine's ModelCallTimeout bounds each call; this only keeps the SDK from cutting in first.
            Timeout = TimeSpan.FromHours(1),
        };
        return new AnthropicErrorChatClient(
            new AnthropicClient(options).AsIChatClient(model, AnthropicMaxOutputTokens)
        );
    }
}
