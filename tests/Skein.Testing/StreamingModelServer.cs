using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Skein.Testing;

/// <summary>
/// A real Kestrel server on a loopback port speaking the OpenAI chat completions wire format with
/// <c>stream: true</c>, whose answers the caller paces: each request becomes a <see cref="StreamingCall"/> that sends
/// text chunks when told, then the finish chunk, the usage chunk (<c>stream_options.include_usage</c>) and
/// <c>[DONE]</c>. Requests go to <see cref="Calls"/>, or to <see cref="Answer"/> when set.
/// </summary>
public sealed class StreamingModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<StreamingCall> _calls = Channel.CreateUnbounded<StreamingCall>();
    private int _count;

    private StreamingModelServer(WebApplication app) => _app = app;

    /// <summary>The provider base URL to configure (the SDK posts to <c>{BaseUrl}/chat/completions</c>).</summary>
    public string BaseUrl => _app.Urls.Single() + "/v1";

    /// <summary>Model requests in arrival order, each waiting for the caller to answer it.</summary>
    public ChannelReader<StreamingCall> Calls => _calls.Reader;

    /// <summary>When set, answers every request itself instead of handing it to <see cref="Calls"/>.</summary>
    public Func<StreamingCall, CancellationToken, Task>? Answer { get; set; }

    public static async Task<StreamingModelServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new StreamingModelServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _calls.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(
            context.RequestAborted,
            _app.Lifetime.ApplicationStopping
        );
        var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: aborted.Token);
        var json = request.RootElement;
        if (
            !context.Request.Path.Value!.EndsWith("/chat/completions", StringComparison.Ordinal)
            || !json.TryGetProperty("stream", out var stream)
            || !stream.GetBoolean()
        )
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(
                new { error = new { message = "this fake answers streamed chat completions only", type = "invalid" } },
                aborted.Token
            );
            return;
        }

        var call = new StreamingCall(
            context.Response,
            json.Clone(),
            $"chatcmpl-{Interlocked.Increment(ref _count)}",
            json.GetProperty("model").GetString() ?? ""
        );
        context.Response.ContentType = "text/event-stream";
        await call.WriteAsync(new { role = "assistant", content = "" }, null, aborted.Token);
        try
        {
            if (Answer is { } answer)
            {
                await answer(call, aborted.Token);
            }
            else
            {
                await _calls.Writer.WriteAsync(call, aborted.Token);
                await call.Finished.WaitAsync(aborted.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client hung up or the server stops.
        }
    }
}

/// <summary>One streamed chat completion in flight: <see cref="SendAsync"/> text, then <see
/// cref="FinishAsync"/>.</summary>
public sealed class StreamingCall
{
    private readonly HttpResponse _response;
    private readonly string _id;
    private readonly string _model;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal StreamingCall(HttpResponse response, JsonElement request, string id, string model)
    {
        _response = response;
        Request = request;
        _id = id;
        _model = model;
    }

    /// <summary>The request body as received.</summary>
    public JsonElement Request { get; }

    internal Task Finished => _finished.Task;

    /// <summary>One chunk of answer text, sent and flushed at once.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken) =>
        WriteAsync(new { content = text }, null, cancellationToken);

    /// <summary>The finish chunk (<c>stop</c>), the usage chunk, <c>[DONE]</c>; ends the response.</summary>
    public async Task FinishAsync(int promptTokens, int completionTokens, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(new { }, "stop", cancellationToken);
            await WriteLineAsync(
                new
                {
                    id = _id,
                    @object = "chat.completion.chunk",
                    created = 1_700_000_000,
                    model = _model,
                    choices = Array.Empty<object>(),
                    usage = new
                    {
                        prompt_tokens = promptTokens,
                        completion_tokens = completionTokens,
                        total_tokens = promptTokens + completionTokens,
                    },
                },
                cancellationToken
            );
            await _response.WriteAsync("data: [DONE]\n\n", cancellationToken);
            await _response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    internal Task WriteAsync(object delta, string? finishReason, CancellationToken cancellationToken) =>
        WriteLineAsync(
            new
            {
                id = _id,
                @object = "chat.completion.chunk",
                created = 1_700_000_000,
                model = _model,
                choices = new[]
                {
                    new
                    {
                        index = 0,
                        delta,
                        finish_reason = finishReason,
                    },
                },
            },
            cancellationToken
        );

    private async Task WriteLineAsync(object chunk, CancellationToken cancellationToken)
    {
        await _response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
