using Microsoft.Extensions.AI;

namespace Skein.Engine.Models;

/// <summary>
/// The model of a run whose provider may not use its key secret (it belongs to another integration or provider):
/// every call fails with the reason, so the run fails as for any provider error and the key is never sent.
/// </summary>
public sealed class RefusedChatClient(string reason) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    ) => throw new InvalidOperationException(reason);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    ) => throw new InvalidOperationException(reason);

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
