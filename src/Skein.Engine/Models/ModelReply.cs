using System.Text.Json;
using Microsoft.Extensions.AI;
using Skein.Core.Steps;

namespace Skein.Engine.Models;

/// <summary>Reads a provider's answer into what a <c>reasoning</c> step records, and names what is wrong with one
/// that cannot be read.</summary>
public static class ModelReply
{
    /// <summary>Why <paramref name="response"/> is no answer at all (a reply without choices), or null.</summary>
    public static string? Problem(ChatResponse response) =>
        response.Messages.Count == 0 ? "the reply is malformed: it has no choices (no message from the model)" : null;

    /// <summary>
    /// The tool calls the model asked for. Arguments that are not a JSON document (e.g. cut off mid-string) are kept
    /// as <c>{}</c> with the parse problem in <see cref="RequestedToolCall.ArgumentsError"/>, so the call is
    /// refused rather than run with arguments the model never sent.
    /// </summary>
    public static List<RequestedToolCall> ToolCalls(ChatResponse response) =>
        [
            .. response
                .Messages.SelectMany(m => m.Contents)
                .OfType<FunctionCallContent>()
                .Select(c => new RequestedToolCall(
                    c.CallId,
                    c.Name,
                    JsonSerializer.SerializeToElement(
                        (c.Exception is null ? c.Arguments : null) ?? new Dictionary<string, object?>(),
                        AIJsonUtilities.DefaultOptions
                    )
                )
                {
                    ArgumentsError = c.Exception is { } e ? (e.InnerException ?? e).Message : null,
                }),
        ];

    /// <summary>
    /// The reason a failed model call gives. An SDK that indexes into a reply missing a required part (<c>choices</c>)
    /// throws an index error that says nothing of the provider; name the malformed reply instead.
    /// </summary>
    public static string Describe(Exception exception) =>
        exception switch
        {
            ArgumentOutOfRangeException or IndexOutOfRangeException or NullReferenceException or KeyNotFoundException =>
                "the reply is malformed: it lacks a part the chat completions format requires (no choices); "
                    + $"the client reported: {exception.Message}",
            _ => exception.Message,
        };
}
