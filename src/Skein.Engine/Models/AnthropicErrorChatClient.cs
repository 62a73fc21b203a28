using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;

namespace Skein.Engine.Models;

/// <summary>
/// Turns the Anthropic SDK's exceptions into the <see cref="HttpRequestException"/> every other provider failure is:
/// its message says what happened (<c>HTTP 529 overloaded_error: …</c>, or the connection's own reason, such as an
/// egress refusal, which the SDK would report as a bare "I/O exception") and its <see
/// cref="HttpRequestException.StatusCode"/> carries the status.
/// </summary>
public sealed class AnthropicErrorChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (AnthropicException ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (AnthropicException ex) when (Translate(ex) is { } translated)
            {
                throw translated;
            }

            yield return updates.Current;
        }
    }

    private static HttpRequestException? Translate(AnthropicException ex) =>
        ex switch
        {
            AnthropicIOException { InnerException: { } io } => new HttpRequestException(
                io.HttpRequestError,
                io.Message,
                ex,
                io.StatusCode
            ),
            AnthropicApiException api => new HttpRequestException(
                HttpRequestError.Unknown,
                $"HTTP {(int)api.StatusCode} {Describe(api.ResponseBody)}",
                ex,
                api.StatusCode
            ),
            _ => null,
        };

    /// <summary><c>type: message</c> from the API's error object <c>{error: {type, message}}</c>, or the body's start
    /// when it is not one (a proxy's page).</summary>
    private static string Describe(string? body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body ?? "");
            if (
                doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
            )
            {
                return $"{Text(error, "type") ?? "error"}: {Text(error, "message") ?? "(no message)"}";
            }
        }
        catch (JsonException)
        {
            // Not JSON: show its start.
        }

        var text = (body ?? "").Trim();
        return text.Length == 0 ? "(empty body)" : text[..Math.Min(200, text.Length)];
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
