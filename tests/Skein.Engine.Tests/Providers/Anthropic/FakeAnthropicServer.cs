using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Core;

namespace Skein.Engine.Tests.Providers.Anthropic;

/// <summary>
/// A real Kestrel server on a free loopback port that speaks Anthropic's Messages API: <c>POST /v1/messages</c>
/// (JSON, or server-sent events when the body asks <c>stream: true</c>) and <c>GET /v1/models</c>. It answers 401
/// without <c>x-api-key</c> and 400 without <c>anthropic-version</c>, as the API does. Tests script its answers with
/// <see cref="Enqueue"/> and read back every request; a request with no scripted answer left gets a 500.
/// </summary>
public sealed class FakeAnthropicServer : IAsyncDisposable
{
    public const string MessagesPath = "/v1/messages";
    public const string ModelsPath = "/v1/models";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AnthropicReply> _replies = new();
    private readonly ConcurrentQueue<AnthropicRequest> _requests = new();
    private int _answered;

    private FakeAnthropicServer(WebApplication app) => _app = app;

    /// <summary>The API root to configure as the provider's base URL (the SDK appends <c>/v1/messages</c>).</summary>
    public string Root => _app.Urls.Single();

    public IReadOnlyList<AnthropicRequest> Requests => [.. _requests];

    public IReadOnlyList<string> Models { get; init; } = ["claude-test-1", "claude-test-2"];

    public static async Task<FakeAnthropicServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeAnthropicServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        return server;
    }

    public void Enqueue(params AnthropicReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var request = await RecordAsync(context.Request, cancellationToken);
        var response = context.Response;
        if (string.IsNullOrEmpty(request.ApiKey))
        {
            await WriteJsonAsync(
                response,
                401,
                AnthropicWire.Error(401, "x-api-key header is required"),
                cancellationToken
            );
            return;
        }

        if (string.IsNullOrEmpty(request.Version))
        {
            await WriteJsonAsync(
                response,
                400,
                AnthropicWire.Error(400, "anthropic-version header is required"),
                cancellationToken
            );
            return;
        }

        if (HttpMethods.IsGet(request.Method) && request.Path == ModelsPath)
        {
            var data = Models
                .Select(m => new
                {
                    type = "model",
                    id = m,
                    display_name = m,
                })
                .ToArray();
            await WriteJsonAsync(response, 200, new { data, has_more = false }, cancellationToken);
            return;
        }

        if (!HttpMethods.IsPost(request.Method) || request.Path != MessagesPath)
        {
            var error = AnthropicWire.Error(404, $"no route {request.Method} {request.Path}");
            await WriteJsonAsync(response, 404, error, cancellationToken);
            return;
        }

        if (!_replies.TryDequeue(out var reply))
        {
            var error = AnthropicWire.Error(500, "fake server: no scripted reply left");
            await WriteJsonAsync(response, 500, error, cancellationToken);
            return;
        }

        var id = $"msg_{Interlocked.Increment(ref _answered):D4}";
        var model = request.Json.GetProperty("model").GetString() ?? "";
        if (reply.Status != 200)
        {
            if (reply.RetryAfterSeconds is { } seconds)
            {
                response.Headers["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var error = AnthropicWire.Error(reply.Status, $"scripted failure {reply.Status}");
            await WriteJsonAsync(response, reply.Status, error, cancellationToken);
        }
        else if (request.Json.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            response.ContentType = "text/event-stream";
            foreach (var (name, data) in AnthropicWire.Events(id, model, reply))
            {
                await response.WriteAsync($"event: {name}\ndata: {AnthropicWire.Json(data)}\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }
        }
        else
        {
            await WriteJsonAsync(response, 200, AnthropicWire.Message(id, model, reply), cancellationToken);
        }
    }

    private async Task<AnthropicRequest> RecordAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var recorded = new AnthropicRequest(
            request.Method,
            request.Path,
            request.Headers["x-api-key"].ToString(),
            request.Headers["anthropic-version"].ToString(),
            request.Headers.Authorization.ToString(),
            body.Length == 0 ? default : SkeinJson.Parse(body),
            TimeProvider.System.GetTimestamp()
        );
        _requests.Enqueue(recorded);
        return recorded;
    }

    private static async Task WriteJsonAsync(
        HttpResponse response,
        int status,
        object body,
        CancellationToken cancellationToken
    )
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(AnthropicWire.Json(body), cancellationToken);
    }
}

/// <summary>A request as the server received it; <see cref="Json"/> is the parsed body, <see cref="Timestamp"/>
/// its arrival (<see cref="TimeProvider.GetTimestamp"/>).</summary>
public sealed record AnthropicRequest(
    string Method,
    string Path,
    string ApiKey,
    string Version,
    string Authorization,
    JsonElement Json,
    long Timestamp
);
