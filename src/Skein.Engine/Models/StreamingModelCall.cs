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

        // Folded as they arrive: keeping every update until the end kept each chunk's parsed provider objects alive
        // for the whole answer (about 2 KB a chunk with the OpenAI SDK, by gen2's growth in delta-latency), so long
        // answers, or many at once, promoted them all to gen2.
        var streamed = new StreamedUpdates(
            chat.GetStreamingResponseAsync(messages, options, cancellationToken),
            onText
        );
        var response = await streamed.ToChatResponseAsync(cancellationToken: cancellationToken);

        // A body that is not an event stream (a JSON answer without choices, an error page, garbage) parses as no
        // events at all: never an empty answer. Which of them it was is not known here, so the reason names both.
        return streamed.Count > 0
            ? response
            : throw new InvalidDataException(
                "the reply is malformed: the streamed response has no server-sent events, so no choices "
                    + "(the body is not text/event-stream, or not valid JSON)"
            );
    }

    /// <summary>The provider's updates passed on one by one, each piece of text told to the caller first; a text
    /// piece's raw provider object is dropped (the answer's text is joined from the pieces, never from it).</summary>
    private sealed class StreamedUpdates(IAsyncEnumerable<ChatResponseUpdate> updates, Action<string> onText)
        : IAsyncEnumerable<ChatResponseUpdate>
    {
        public int Count { get; private set; }

        public async IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken)
        {
            await foreach (var update in updates.WithCancellation(cancellationToken))
            {
                Count++;
                foreach (var content in update.Contents)
                {
                    if (content is TextContent text)
                    {
                        text.RawRepresentation = null;
                    }
                }

                if (update.Text is { Length: > 0 } piece)
                {
                    onText(piece);
                }

                yield return update;
            }
        }
    }
}
