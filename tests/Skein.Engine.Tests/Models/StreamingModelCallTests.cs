using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Skein.Engine.Models;

namespace Skein.Engine.Tests.Models;

/// <summary>A streamed model call folds its chunks into the answer as they arrive.</summary>
public sealed class StreamingModelCallTests
{
    [Fact]
    public async Task A_streamed_answer_keeps_no_earlier_chunk_of_the_provider_alive_while_it_streams()
    {
        const int Chunks = 50;
        var provider = new ChunkedProvider(Chunks);

        var (response, pieces, aliveAtTheEnd) = await StreamCountingAliveAsync(provider, Chunks, provider.Parsed);

        Assert.Equal(0, aliveAtTheEnd);
        Assert.Equal(Chunks, pieces.Count);
        Assert.Equal(string.Concat(Enumerable.Range(0, Chunks).Select(i => $"w{i} ")), response.Text);
        Assert.Equal(3, response.Usage?.InputTokenCount);
        Assert.Equal(Chunks, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Earlier_pieces_of_text_are_not_kept_one_by_one_while_the_answer_streams()
    {
        const int Chunks = 50;
        var provider = new ChunkedProvider(Chunks);

        var (_, _, aliveAtTheEnd) = await StreamCountingAliveAsync(provider, Chunks, provider.Pieces);

        // Folded one by one, every piece stays in the answer's content list until the answer ends.
        Assert.Equal(0, aliveAtTheEnd);
    }

    /// <summary>Streams the provider's answer and, while its last piece is handled, collects garbage and counts how
    /// many of the earlier <paramref name="tracked"/> objects are still alive.</summary>
    private static async Task<(ChatResponse Response, List<string> Pieces, int AliveAtTheEnd)> StreamCountingAliveAsync(
        ChunkedProvider provider,
        int chunks,
        List<WeakReference> tracked
    )
    {
        var pieces = new List<string>();
        var aliveAtTheEnd = -1;
        var response = await StreamingModelCall.GetResponseAsync(
            provider,
            [new ChatMessage(ChatRole.User, "go")],
            new ChatOptions(),
            text =>
            {
                pieces.Add(text);
                if (pieces.Count == chunks)
                {
                    // Every chunk but the one being handled is garbage by now, whatever the answer keeps of it.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    aliveAtTheEnd = tracked.Take(chunks - 1).Count(chunk => chunk.IsAlive);
                }
            },
            CancellationToken.None
        );
        return (response, pieces, aliveAtTheEnd);
    }

    [Fact]
    public async Task The_answer_is_the_one_the_updates_make_unjoined()
    {
        // Text runs broken by a tool call, a second message, a role change and a piece with properties of its own.
        static List<ChatResponseUpdate> Updates()
        {
            var at = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
            ChatResponseUpdate Text(string text, string message = "m1", ChatRole? role = null) =>
                new(role ?? ChatRole.Assistant, text)
                {
                    MessageId = message,
                    ResponseId = "r1",
                    ModelId = "model-a",
                    CreatedAt = at,
                };
            return
            [
                Text("Hel"),
                Text("lo, "),
                Text("world"),
                new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup")])
                {
                    MessageId = "m1",
                },
                Text(" after"),
                Text(" the call"),
                Text("second", "m2"),
                Text(" message", "m2"),
                Text(" tooled", "m2", ChatRole.Tool),
                new ChatResponseUpdate(
                    ChatRole.Assistant,
                    [new TextContent(" noted") { AdditionalProperties = new() { ["k"] = "v" } }]
                )
                {
                    MessageId = "m2",
                },
                Text(" end", "m2"),
                new ChatResponseUpdate(
                    ChatRole.Assistant,
                    [new UsageContent(new UsageDetails { InputTokenCount = 5, OutputTokenCount = 9 })]
                )
                {
                    FinishReason = ChatFinishReason.ToolCalls,
                },
            ];
        }

        var expected = await Stream(Updates()).ToChatResponseAsync(cancellationToken: CancellationToken.None);
        var pieces = new List<string>();
        var actual = await StreamingModelCall.GetResponseAsync(
            new ListProvider(Updates()),
            [new ChatMessage(ChatRole.User, "go")],
            new ChatOptions(),
            pieces.Add,
            CancellationToken.None
        );

        Assert.Equal(
            ["Hel", "lo, ", "world", " after", " the call", "second", " message", " tooled", " noted", " end"],
            pieces
        );
        Assert.Equal(Json(expected), Json(actual));
        Assert.Contains(actual.Messages.SelectMany(m => m.Contents), c => c is FunctionCallContent);
    }

    private static string Json(ChatResponse response) =>
        System.Text.Json.JsonSerializer.Serialize(response, AIJsonUtilities.DefaultOptions);

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatResponseUpdate> updates)
    {
        foreach (var update in updates)
        {
            yield return update;
            await Task.Yield();
        }
    }

    private sealed class ListProvider(IEnumerable<ChatResponseUpdate> updates) : IChatClient
    {
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        ) => Stream(updates);

        public Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        ) => throw new NotSupportedException("the test streams");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }

    /// <summary>A provider whose every chunk carries its parsed wire object, as the OpenAI SDK's do.</summary>
    private sealed class ChunkedProvider(int chunks) : IChatClient
    {
        public List<WeakReference> Parsed { get; } = [];

        /// <summary>Each chunk's text content, as handed out.</summary>
        public List<WeakReference> Pieces { get; } = [];

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default
        )
        {
            for (var i = 0; i < chunks; i++)
            {
                yield return Chunk(i);
                await Task.Yield();
            }

            yield return new ChatResponseUpdate(
                ChatRole.Assistant,
                [new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = chunks })]
            )
            {
                FinishReason = ChatFinishReason.Stop,
            };
        }

        // Not inlined: the parsed object is referenced from nothing on the stack once the chunk is handed out.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private ChatResponseUpdate Chunk(int i)
        {
            var parsed = new byte[4096];
            Parsed.Add(new WeakReference(parsed));
            var piece = new TextContent($"w{i} ") { RawRepresentation = parsed };
            Pieces.Add(new WeakReference(piece));
            return new ChatResponseUpdate(ChatRole.Assistant, [piece]) { RawRepresentation = parsed };
        }

        public Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        ) => throw new NotSupportedException("the test streams");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
