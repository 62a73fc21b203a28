using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;
using Skein.Core.Agents;
using Skein.Store.Rows;

namespace Skein.Engine.Models;

/// <summary>
/// Builds the <see cref="IChatClient"/> a run talks to. <c>scripted</c> is the offline model;
/// <c>openai</c> is any OpenAI-compatible chat completions endpoint, over the named HttpClient that
/// carries the resilience pipeline (the SDK's own retries are off so there is one retry policy).
/// </summary>
public sealed class ModelClientFactory(IHttpClientFactory http, TimeProvider time)
{
    public const string HttpClientName = "skein-models";
    public const string Scripted = Core.Providers.ProviderKinds.Scripted;
    public const string OpenAI = Core.Providers.ProviderKinds.OpenAI;

    private readonly ConcurrentDictionary<(Guid, string, string?, string?), IChatClient> _openAi = new();

    /// <param name="apiKey">The key read from the provider's secret (never stored on the row).</param>
    public IChatClient Create(VersionSnapshot version, LlmProviderRow provider, string? apiKey) =>
        provider.Kind switch
        {
            Scripted => new ScriptedChatClient(version.Script, version.Model, time),
            OpenAI => _openAi.GetOrAdd((provider.Id, version.Model, provider.BaseUrl, apiKey), _ =>
                CreateOpenAi(provider, version.Model, apiKey)
            ),
            _ => throw new InvalidOperationException($"unknown model provider kind '{provider.Kind}'"),
        };

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
}
