using System.Text;
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

    /// <summary>
    /// The provider's updates passed on, each piece of text told to the caller first. A run of plain text updates
    /// (one <see cref="TextContent"/> each, nothing else differing) is passed on as one update whose text is theirs
    /// joined: the answer ends up with the same text content that joining them at the end would give, and meanwhile it
    /// holds one growing text instead of an object and a string per piece (with 200 answers streaming, those pieces
    /// were most of what each collection promoted: 2.7 MB into gen2 at every gen1). A text piece's raw provider
    /// object is not kept.
    /// </summary>
    private sealed class StreamedUpdates(IAsyncEnumerable<ChatResponseUpdate> updates, Action<string> onText)
        : IAsyncEnumerable<ChatResponseUpdate>
    {
        public int Count { get; private set; }

        public async IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken)
        {
            ChatResponseUpdate? held = null;
            var text = new StringBuilder();
            await foreach (var update in updates.WithCancellation(cancellationToken))
            {
                Count++;
                var contents = update.Contents;
                for (var i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is TextContent piece)
                    {
                        piece.RawRepresentation = null;
                    }
                }

                if (update.Text is { Length: > 0 } delta)
                {
                    onText(delta);
                }

                if (held is not null && IsPlainText(update) && SameMessage(held, update))
                {
                    text.Append(update.Text);
                    continue;
                }

                if (held is not null)
                {
                    yield return Joined(held, text);
                    held = null;
                }

                if (IsPlainText(update))
                {
                    held = Shell(update);
                    text.Clear().Append(update.Text);
                    continue;
                }

                yield return update;
            }

            if (held is not null)
            {
                yield return Joined(held, text);
            }
        }

        /// <summary>Only text, and nothing that the answer would take from this update rather than an earlier
        /// one.</summary>
        private static bool IsPlainText(ChatResponseUpdate update) =>
            update.Contents is [TextContent { AdditionalProperties: null, Annotations: null } piece]
            && piece.GetType() == typeof(TextContent)
            && update.FinishReason is null
            && update.AdditionalProperties is null
            && update.ContinuationToken is null;

        private static bool SameMessage(ChatResponseUpdate a, ChatResponseUpdate b) =>
            a.Role == b.Role
            && a.AuthorName == b.AuthorName
            && a.MessageId == b.MessageId
            && a.ResponseId == b.ResponseId
            && a.ConversationId == b.ConversationId
            && a.ModelId == b.ModelId
            && a.CreatedAt == b.CreatedAt;

        /// <summary>What the first update of a run of text says about its message, without its text or the
        /// provider's object.</summary>
        private static ChatResponseUpdate Shell(ChatResponseUpdate first) =>
            new(first.Role, [])
            {
                AuthorName = first.AuthorName,
                MessageId = first.MessageId,
                ResponseId = first.ResponseId,
                ConversationId = first.ConversationId,
                ModelId = first.ModelId,
                CreatedAt = first.CreatedAt,
            };

        private static ChatResponseUpdate Joined(ChatResponseUpdate shell, StringBuilder text)
        {
            shell.Contents = [new TextContent(text.ToString())];
            return shell;
        }
    }
}
