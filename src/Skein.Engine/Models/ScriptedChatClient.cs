using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Skein.Core;
using Skein.Core.Agents;

namespace Skein.Engine.Models;

/// <summary>
/// The built-in offline model. Turn N of the script answers the request that follows N assistant turns,
/// so replaying a conversation after a restart gets the same answer. Past the script's end it falls back
/// to a default: call a tool when the input names one (<c>{"tool": "...", "arguments": {...}}</c>),
/// otherwise echo the input; after a tool result, report it.
/// </summary>
public sealed class ScriptedChatClient(IReadOnlyList<ScriptTurn> script, string modelId, TimeProvider time)
    : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var index = history.Count(m => m.Role == ChatRole.Assistant);
        var turn = index < script.Count ? script[index] : DefaultTurn(history, options);
        if (turn.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(turn.DelayMs), time, cancellationToken);
        }

        if (turn.Error is { } error)
        {
            throw new ScriptedModelException(error);
        }

        var contents = new List<AIContent>();
        if (!string.IsNullOrEmpty(turn.Text))
        {
            contents.Add(new TextContent(Fill(turn.Text, history)));
        }

        for (var i = 0; i < turn.ToolCalls.Count; i++)
        {
            var call = turn.ToolCalls[i];
            contents.Add(new FunctionCallContent($"call_{index}_{i}", call.Name, ToArguments(call.Arguments)));
        }

        var inputTokens = turn.InputTokens ?? Estimate(history.Sum(m => m.Text.Length));
        var outputTokens = turn.OutputTokens
            ?? Estimate(
                (turn.Text?.Length ?? 0)
                    + turn.ToolCalls.Sum(c => c.Name.Length + (c.Arguments?.GetRawText().Length ?? 2))
            );
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ModelId = modelId,
            FinishReason = turn.ToolCalls.Count > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails
            {
                InputTokenCount = inputTokens,
                OutputTokenCount = outputTokens,
                TotalTokenCount = inputTokens + outputTokens,
            },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }

    /// <summary>
    /// <c>{{tool_result}}</c> in a scripted text becomes the result this turn answers (a sub-agent's output, a
    /// parent's answer to <c>ask_parent</c>): the latest one after the previous assistant turn, never an older
    /// turn's. Empty when the turn answers no tool call (a user message).
    /// </summary>
    private static string Fill(string text, IReadOnlyList<ChatMessage> history)
    {
        if (!text.Contains(ToolResultPlaceholder, StringComparison.Ordinal))
        {
            return text;
        }

        var value = "";
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var message = history[i];
            if (message.Role == ChatRole.Assistant)
            {
                break;
            }

            if (message.Role == ChatRole.Tool)
            {
                var result = message.Contents.OfType<FunctionResultContent>().LastOrDefault()?.Result;
                value = result is JsonElement j ? ResultText(j) : result?.ToString() ?? "";
                break;
            }

            // A result that came after its call was answered for now (a run tree) is a user message.
            if (message.Role == ChatRole.User && Runs.ConversationBuilder.LateResult(message.Text) is { } late)
            {
                value = ResultText(late);
                break;
            }
        }

        return text.Replace(ToolResultPlaceholder, value, StringComparison.Ordinal);
    }

    /// <summary>The useful part of a result: a sub-agent's output, an answer, a tool's data; else the JSON.</summary>
    private static string ResultText(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            return result.GetRawText();
        }

        foreach (var name in new[] { "output", "answer", "data" })
        {
            if (result.TryGetProperty(name, out var part) && part.ValueKind != JsonValueKind.Null)
            {
                return part.ValueKind == JsonValueKind.String ? part.GetString() ?? "" : part.GetRawText();
            }
        }

        return result.GetRawText();
    }

    public const string ToolResultPlaceholder = "{{tool_result}}";

    private static ScriptTurn DefaultTurn(IReadOnlyList<ChatMessage> history, ChatOptions? options)
    {
        var last = history.Count > 0 ? history[^1] : null;

        // Past its script a parent answers a sub-agent's question itself, so a tree never stalls on one.
        if (
            last?.Role == ChatRole.Tool
            && options?.Tools?.Any(t => t.Name == Core.Sessions.AitlDecider.AnswerTool) == true
            && last.Contents.OfType<FunctionResultContent>().Any(r => r.Result is JsonElement j && IsQuestion(j))
        )
        {
            return new ScriptTurn
            {
                ToolCalls =
                [
                    new ScriptToolCall(
                        Core.Sessions.AitlDecider.AnswerTool,
                        SkeinJson.Element(new { answer = "Use your best judgement." })
                    ),
                ],
            };
        }

        if (last?.Role == ChatRole.Tool)
        {
            var results = last
                .Contents.OfType<FunctionResultContent>()
                .Select(r => r.Result is JsonElement j ? j.GetRawText() : r.Result?.ToString());
            return new ScriptTurn { Text = "Tool result: " + string.Join("; ", results) };
        }

        var text = last?.Text ?? "";
        if (history.All(m => m.Role != ChatRole.Assistant) && RequestedTool(text, options) is { } call)
        {
            return new ScriptTurn { ToolCalls = [call] };
        }

        return new ScriptTurn { Text = "Echo: " + text };
    }

    private static bool IsQuestion(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object
        && result.TryGetProperty("status", out var status)
        && status.ValueKind == JsonValueKind.String
        && status.GetString() == "waiting_for_parent";

    private static ScriptToolCall? RequestedTool(string input, ChatOptions? options)
    {
        try
        {
            var json = SkeinJson.Parse(input);
            if (
                json.ValueKind == JsonValueKind.Object
                && json.TryGetProperty("tool", out var tool)
                && tool.ValueKind == JsonValueKind.String
                && options?.Tools?.Any(t => t.Name == tool.GetString()) == true
            )
            {
                return new ScriptToolCall(
                    tool.GetString()!,
                    json.TryGetProperty("arguments", out var args) ? args : null
                );
            }
        }
        catch (JsonException)
        {
            // Plain text input: nothing to call.
        }

        return null;
    }

    private static Dictionary<string, object?> ToArguments(JsonElement? arguments) =>
        arguments is { ValueKind: JsonValueKind.Object } obj
            ? obj.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : [];

    private static int Estimate(int chars) => Math.Max(1, chars / 4);
}

/// <summary>A scripted turn's configured provider error.</summary>
public sealed class ScriptedModelException(string message) : Exception(message);
