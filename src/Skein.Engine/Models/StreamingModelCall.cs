using Microsoft.Extensions.AI;

namespace Skein.Engine.Models;

/// <summary>
/// One model call: streamed when the caller wants its text as it arrives, answering the same
/// <see cref="ChatResponse"/> a non-streamed call would (text, tool calls, usage, finish reason), so what the run
/// commits does not depend on how the answer travelled.
/// </summary>
public static class StreamingModelCall
{
    /// <param name="onText">Called with each piece of answer text, in order, on the calling thread; null asks for
    /// the whole answer at once (no streaming).</param>
    public static async Task<ChatResponse> GetResponseAsync(
        IChatClient chat,
        IEnumerable<ChatMessage> messages,
        ChatOptions options,
        Action<string>? onText,
        CancellationToken cancellationToken
    )
    {
        if (onText is null)
        {
            return await chat.GetResponseAsync(messages, options, cancellationToken);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (
            var update in chat.GetStreamingResponseAsync(messages, options, cancellationToken)
                .WithCancellation(cancellationToken)
        )
        {
            updates.Add(update);
            if (update.Text is { Length: > 0 } text)
            {
                onText(text);
            }
        }

        // A body that is not an event stream (a JSON answer without choices, an error page, garbage) parses as no
        // events at all: never an empty answer. Which of them it was is not known here, so the reason names both.
        return updates.Count > 0
            ? updates.ToChatResponse()
            : throw new InvalidDataException(
                "the reply is malformed: the streamed response has no server-sent events, so no choices "
                    + "(the body is not text/event-stream, or not valid JSON)"
            );
    }
}
