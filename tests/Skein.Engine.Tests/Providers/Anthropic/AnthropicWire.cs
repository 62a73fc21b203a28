using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skein.Engine.Tests.Providers.Anthropic;

/// <summary>
/// The Messages API wire shapes (snake_case, as the API sends them): a whole <c>message</c>, the server-sent events
/// of a streamed one, and the error object.
/// </summary>
public static class AnthropicWire
{
    /// <summary>Text and tool input arrive in pieces this long, so a streamed answer spans several deltas.</summary>
    private const int PieceLength = 4;

    public static object Message(string id, string model, AnthropicReply reply) =>
        new
        {
            id,
            type = "message",
            role = "assistant",
            model,
            content = Blocks(reply).ToArray(),
            stop_reason = StopReason(reply),
            stop_sequence = (string?)null,
            usage = Usage(reply.Usage, reply.Usage.OutputTokens),
        };

    /// <summary>
    /// The <c>(event, data)</c> pairs of a streamed answer: <c>message_start</c> (with the input usage),
    /// <c>ping</c>, each block opened, filled by <c>text_delta</c> / <c>input_json_delta</c> pieces and closed,
    /// <c>message_delta</c> with the stop reason and output usage, <c>message_stop</c>.
    /// </summary>
    public static IEnumerable<(string Event, object Data)> Events(string id, string model, AnthropicReply reply)
    {
        yield return (
            "message_start",
            new
            {
                type = "message_start",
                message = new
                {
                    id,
                    type = "message",
                    role = "assistant",
                    model,
                    content = Array.Empty<object>(),
                    stop_reason = (string?)null,
                    stop_sequence = (string?)null,
                    usage = Usage(reply.Usage, 1),
                },
            }
        );
        yield return ("ping", new { type = "ping" });
        var index = 0;
        if (reply.Text is { } text)
        {
            yield return ("content_block_start", BlockStart(index, new { type = "text", text = "" }));
            foreach (var piece in Pieces(text))
            {
                yield return ("content_block_delta", Delta(index, new { type = "text_delta", text = piece }));
            }

            yield return ("content_block_stop", new { type = "content_block_stop", index });
            index++;
        }

        foreach (var use in reply.ToolUses)
        {
            var start = new
            {
                type = "tool_use",
                id = use.Id,
                name = use.Name,
                input = new { },
            };
            yield return ("content_block_start", BlockStart(index, start));
            foreach (var piece in Pieces(use.InputJson))
            {
                var delta = new { type = "input_json_delta", partial_json = piece };
                yield return ("content_block_delta", Delta(index, delta));
            }

            yield return ("content_block_stop", new { type = "content_block_stop", index });
            index++;
        }

        yield return (
            "message_delta",
            new
            {
                type = "message_delta",
                delta = new { stop_reason = StopReason(reply), stop_sequence = (string?)null },
                usage = new { output_tokens = reply.Usage.OutputTokens },
            }
        );
        yield return ("message_stop", new { type = "message_stop" });
    }

    public static object Error(int status, string message) =>
        new
        {
            type = "error",
            error = new
            {
                type = status switch
                {
                    429 => "rate_limit_error",
                    529 => "overloaded_error",
                    401 => "authentication_error",
                    404 => "not_found_error",
                    _ => "api_error",
                },
                message,
            },
        };

    private static IEnumerable<object> Blocks(AnthropicReply reply)
    {
        if (reply.Text is { } text)
        {
            yield return new { type = "text", text };
        }

        foreach (var use in reply.ToolUses)
        {
            yield return new
            {
                type = "tool_use",
                id = use.Id,
                name = use.Name,
                input = JsonNode.Parse(use.InputJson),
            };
        }
    }

    private static string StopReason(AnthropicReply reply) => reply.ToolUses.Count > 0 ? "tool_use" : "end_turn";

    private static object Usage(AnthropicUsage usage, int outputTokens) =>
        new
        {
            input_tokens = usage.InputTokens,
            output_tokens = outputTokens,
            cache_creation_input_tokens = 0,
            cache_read_input_tokens = usage.CacheReadInputTokens,
        };

    private static object BlockStart(int index, object block) =>
        new
        {
            type = "content_block_start",
            index,
            content_block = block,
        };

    private static object Delta(int index, object delta) =>
        new
        {
            type = "content_block_delta",
            index,
            delta,
        };

    private static IEnumerable<string> Pieces(string text)
    {
        for (var i = 0; i < text.Length; i += PieceLength)
        {
            yield return text.Substring(i, Math.Min(PieceLength, text.Length - i));
        }
    }

    /// <summary>Serializes a wire shape as it goes out; nulls are written (the API writes them).</summary>
    public static string Json(object shape) => JsonSerializer.Serialize(shape);
}
