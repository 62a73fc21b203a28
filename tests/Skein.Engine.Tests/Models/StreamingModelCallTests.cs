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
        var pieces = new List<string>();
        var aliveAtTheEnd = -1;

        var response = await StreamingModelCall.GetResponseAsync(
            provider,
            [new ChatMessage(ChatRole.User, "go")],
            new ChatOptions(),
            text =>
            {
                pieces.Add(text);
                if (pieces.Count == Chunks)
                {
                    // Every chunk but the one being handled is garbage by now, whatever the answer keeps of it.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    aliveAtTheEnd = provider.Parsed.Take(Chunks - 1).Count(chunk => chunk.IsAlive);
                }
            },
            CancellationToken.None
        );

        Assert.Equal(0, aliveAtTheEnd);
        Assert.Equal(Chunks, pieces.Count);
        Assert.Equal(string.Concat(Enumerable.Range(0, Chunks).Select(i => $"w{i} ")), response.Text);
        Assert.Equal(3, response.Usage?.InputTokenCount);
        Assert.Equal(Chunks, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    /// <summary>A provider whose every chunk carries its parsed wire object, as the OpenAI SDK's do.</summary>
    private sealed class ChunkedProvider(int chunks) : IChatClient
    {
        public List<WeakReference> Parsed { get; } = [];

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
            return new ChatResponseUpdate(
                ChatRole.Assistant,
                [new TextContent($"w{i} ") { RawRepresentation = parsed }]
            )
            {
                RawRepresentation = parsed,
            };
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
