using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Core;

namespace Skein.Engine.Tests.Providers;

/// <summary>
/// A real Kestrel server on a free loopback port that speaks the OpenAI chat completions wire format
/// (JSON and SSE streaming). Tests script its answers with <see cref="Enqueue"/> and read back every
/// request it received. A request with no scripted answer left gets a 501.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    /// <summary>What the OpenAI SDK requests: <c>{Endpoint}/chat/completions</c>, so a base URL ending in
    /// <c>/v1</c>.</summary>
    public const string CompletionsPath = "/v1/chat/completions";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _replies = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _answered;

    // This server's own path under its root. Ports are reused: a run of an earlier test (in this process or the other
    // test process) still retrying against its own, stopped, fake must not land here, take a scripted answer and be
    // counted as this test's request.
    private readonly string _prefix = "/fake-" + Guid.NewGuid().ToString("N");

    private FakeOpenAiServer(WebApplication app) => _app = app;

    /// <summary>The provider base URL to configure: the server root, this server's own prefix and <c>/v1</c>.</summary>
    public string BaseUrl => _app.Urls.Single() + _prefix + "/v1";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeOpenAiServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        return server;
    }

    public void Enqueue(params FakeReply[] replies)
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
        // A delayed answer is cut short by the client hanging up or the server stopping.
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(
            context.RequestAborted,
            _app.Lifetime.ApplicationStopping
        );
        var cancellationToken = aborted.Token;
        if (!context.Request.Path.StartsWithSegments(_prefix, out var path))
        {
            await WriteJsonAsync(
                context.Response,
                StatusCodes.Status404NotFound,
                OpenAiWire.Error("another test's fake server", "invalid_request_error"),
                cancellationToken
            );
            return;
        }

        var request = await RecordAsync(context.Request, path, cancellationToken);
        if (!HttpMethods.IsPost(request.Method) || request.Path != CompletionsPath)
        {
            await WriteJsonAsync(
                context.Response,
                StatusCodes.Status404NotFound,
                OpenAiWire.Error($"no route {request.Method} {request.Path}", "invalid_request_error"),
                cancellationToken
            );
            return;
        }

        if (!_replies.TryDequeue(out var reply))
        {
            await WriteJsonAsync(
                context.Response,
                StatusCodes.Status501NotImplemented,
                OpenAiWire.Error("fake server: no scripted reply left", "server_error"),
                cancellationToken
            );
            return;
        }

        try
        {
            await Task.Delay(reply.Delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var id = $"chatcmpl-{Interlocked.Increment(ref _answered)}";
        var model = request.Json.GetProperty("model").GetString() ?? "";
        if (reply.RawBody is not null)
        {
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.RawBody, cancellationToken);
        }
        else if (reply.Status != StatusCodes.Status200OK)
        {
            if (reply.RetryAfterSeconds is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(
                    System.Globalization.CultureInfo.InvariantCulture
                );
            }

            await WriteJsonAsync(
                context.Response,
                reply.Status,
                OpenAiWire.Error($"scripted failure {reply.Status}", "server_error"),
                cancellationToken
            );
        }
        else if (request.Json.TryGetProperty("stream", out var stream) && stream.GetBoolean())
        {
            var includeUsage =
                request.Json.TryGetProperty("stream_options", out var options)
                && options.TryGetProperty("include_usage", out var usage)
                && usage.GetBoolean();
            await StreamAsync(context.Response, OpenAiWire.Chunks(id, model, reply, includeUsage), cancellationToken);
        }
        else
        {
            await WriteJsonAsync(
                context.Response,
                StatusCodes.Status200OK,
                OpenAiWire.Completion(id, model, reply),
                cancellationToken
            );
        }
    }

    /// <param name="path">The request's path below this server's prefix.</param>
    private async Task<RecordedRequest> RecordAsync(
        HttpRequest request,
        PathString path,
        CancellationToken cancellationToken
    )
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            path,
            request.Headers.Authorization.ToString(),
            body.Length == 0 ? default : SkeinJson.Parse(body)
        );
        _requests.Enqueue(recorded);
        return recorded;
    }

    private static async Task StreamAsync(
        HttpResponse response,
        IEnumerable<object> chunks,
        CancellationToken cancellationToken
    )
    {
        response.ContentType = "text/event-stream";
        foreach (var chunk in chunks)
        {
            await response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }

        await response.WriteAsync("data: [DONE]\n\n", cancellationToken);
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
        await response.WriteAsync(JsonSerializer.Serialize(body), cancellationToken);
    }
}

/// <summary>A request as the server received it; <see cref="Json"/> is the parsed body.</summary>
public sealed record RecordedRequest(string Method, string Path, string Authorization, JsonElement Json);
