using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Skein.Testing;

namespace Skein.Server.Tests.Usage;

/// <summary>
/// A local model endpoint speaking the OpenAI chat completions wire format, answering each request with the next
/// scripted <see cref="UsageReply"/>: a tool call or text, with usage (prompt tokens incl. cached ones, completion
/// tokens) or none at all. Answers both a plain request and a streamed one (usage then arrives in the last chunk, when
/// the request asks for it).
/// </summary>
public sealed class UsageModelFake : IAsyncDisposable
{
    private readonly RecordingServer _server;
    private readonly ConcurrentQueue<UsageReply> _replies = new();

    private UsageModelFake(RecordingServer server)
    {
        _server = server;
        _server.Respond = RespondAsync;
    }

    /// <summary>The provider base URL (the SDK appends <c>/chat/completions</c>).</summary>
    public string BaseUrl => _server.BaseUrl + "/v1";

    public static async Task<UsageModelFake> StartAsync(CancellationToken cancellationToken) =>
        new(await RecordingServer.StartAsync(cancellationToken));

    public void Enqueue(params UsageReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task RespondAsync(HttpContext context, RecordedHttpRequest request)
    {
        if (!_replies.TryDequeue(out var reply))
        {
            context.Response.StatusCode = StatusCodes.Status501NotImplemented;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "no scripted reply left" } });
            return;
        }

        using var body = JsonDocument.Parse(request.Body);
        var model = body.RootElement.GetProperty("model").GetString();
        var stream = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var toolCalls = reply.ToolCall is { } call
            ? new[]
            {
                new
                {
                    index = 0,
                    id = call.Id,
                    type = "function",
                    function = new { name = call.Name, arguments = call.Arguments },
                },
            }
            : null;
        var finish = toolCalls is null ? "stop" : "tool_calls";
        if (!stream)
        {
            var completion = new Dictionary<string, object?>
            {
                ["id"] = "chatcmpl-usage",
                ["object"] = "chat.completion",
                ["created"] = 1_767_268_800,
                ["model"] = model,
                ["choices"] = new[]
                {
                    new
                    {
                        index = 0,
                        message = new
                        {
                            role = "assistant",
                            content = reply.Text,
                            tool_calls = toolCalls,
                        },
                        finish_reason = finish,
                    },
                },
            };
            if (reply.Usage is { } u)
            {
                completion["usage"] = Usage(u);
            }

            await context.Response.WriteAsJsonAsync(completion);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var chunks = new List<object> { Chunk(model, new { role = "assistant", content = reply.Text ?? "" }, null) };
        if (toolCalls is not null)
        {
            chunks.Add(Chunk(model, new { tool_calls = toolCalls }, null));
        }

        chunks.Add(Chunk(model, new { }, finish));
        var includeUsage =
            body.RootElement.TryGetProperty("stream_options", out var options)
            && options.TryGetProperty("include_usage", out var include)
            && include.ValueKind == JsonValueKind.True;
        if (includeUsage && reply.Usage is { } usage)
        {
            chunks.Add(
                new
                {
                    id = "chatcmpl-usage",
                    @object = "chat.completion.chunk",
                    created = 1_767_268_800,
                    model,
                    choices = Array.Empty<object>(),
                    usage = Usage(usage),
                }
            );
        }

        foreach (var chunk in chunks)
        {
            await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n");
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static object Chunk(string? model, object delta, string? finish) =>
        new
        {
            id = "chatcmpl-usage",
            @object = "chat.completion.chunk",
            created = 1_767_268_800,
            model,
            choices = new[]
            {
                new
                {
                    index = 0,
                    delta,
                    finish_reason = finish,
                },
            },
        };

    private static object Usage(ReplyUsage u) =>
        new
        {
            prompt_tokens = u.Prompt,
            completion_tokens = u.Completion,
            total_tokens = u.Prompt + u.Completion,
            prompt_tokens_details = new { cached_tokens = u.Cached },
        };
}

/// <summary>One answer: text or a tool call, and the usage it reports (null: none at all).</summary>
public sealed record UsageReply(string? Text, ReplyToolCall? ToolCall, ReplyUsage? Usage);

public sealed record ReplyToolCall(string Id, string Name, string Arguments);

public sealed record ReplyUsage(int Prompt, int Completion, int Cached);
