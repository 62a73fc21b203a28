namespace Skein.Engine.Tests.Providers;

/// <summary>
/// The OpenAI chat completions wire shapes (snake_case, as the API sends them), written as anonymous
/// objects so each one reads like the JSON it serializes to.
/// </summary>
public static class OpenAiWire
{
    private const long Created = 1_767_268_800;

    /// <summary>Strings are cut into pieces this long so text and tool arguments arrive over several chunks.</summary>
    private const int PieceLength = 4;

    public static object Completion(string id, string model, FakeReply reply) =>
        new
        {
            id,
            @object = "chat.completion",
            created = Created,
            model,
            system_fingerprint = (string?)null,
            choices = new[]
            {
                new
                {
                    index = 0,
                    message = new
                    {
                        role = "assistant",
                        content = reply.Text,
                        refusal = (string?)null,
                        tool_calls = reply.ToolCalls.Count == 0
                            ? null
                            : reply
                                .ToolCalls.Select(c => new
                                {
                                    id = c.Id,
                                    type = "function",
                                    function = new { name = c.Name, arguments = c.Arguments },
                                })
                                .ToArray(),
                    },
                    logprobs = (object?)null,
                    finish_reason = FinishReason(reply),
                },
            },
            usage = Usage(reply.Usage),
        };

    /// <summary>
    /// The <c>data:</c> payloads of a streamed answer: a role chunk, text pieces, each tool call opened with
    /// its id and name then its arguments in pieces (matched by <c>index</c>), a finish chunk, and the usage
    /// chunk (empty <c>choices</c>) only when the request asked for it. <c>[DONE]</c> is the caller's.
    /// </summary>
    public static IEnumerable<object> Chunks(string id, string model, FakeReply reply, bool includeUsage)
    {
        yield return Chunk(id, model, new { role = "assistant", content = "" }, null);
        foreach (var piece in Pieces(reply.Text ?? ""))
        {
            yield return Chunk(id, model, new { content = piece }, null);
        }

        for (var i = 0; i < reply.ToolCalls.Count; i++)
        {
            var call = reply.ToolCalls[i];
            var opening = new
            {
                index = i,
                id = call.Id,
                type = "function",
                function = new { name = call.Name, arguments = "" },
            };
            yield return Chunk(id, model, new { tool_calls = new[] { opening } }, null);
            foreach (var piece in Pieces(call.Arguments))
            {
                yield return Chunk(
                    id,
                    model,
                    new { tool_calls = new[] { new { index = i, function = new { arguments = piece } } } },
                    null
                );
            }
        }

        yield return Chunk(id, model, new { }, FinishReason(reply));
        if (includeUsage)
        {
            yield return new
            {
                id,
                @object = "chat.completion.chunk",
                created = Created,
                model,
                choices = Array.Empty<object>(),
                usage = Usage(reply.Usage),
            };
        }
    }

    public static object Error(string message, string type) =>
        new
        {
            error = new
            {
                message,
                type,
                param = (string?)null,
                code = (string?)null,
            },
        };

    private static object Chunk(string id, string model, object delta, string? finishReason) =>
        new
        {
            id,
            @object = "chat.completion.chunk",
            created = Created,
            model,
            choices = new[]
            {
                new
                {
                    index = 0,
                    delta,
                    logprobs = (object?)null,
                    finish_reason = finishReason,
                },
            },
            usage = (object?)null,
        };

    private static object Usage(FakeUsage usage) =>
        new
        {
            prompt_tokens = usage.PromptTokens,
            completion_tokens = usage.CompletionTokens,
            total_tokens = usage.TotalTokens,
        };

    private static string FinishReason(FakeReply reply) => reply.ToolCalls.Count > 0 ? "tool_calls" : "stop";

    private static IEnumerable<string> Pieces(string text) => text.Chunk(PieceLength).Select(c => new string(c));
}
