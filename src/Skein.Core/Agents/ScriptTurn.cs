using System.Text.Json;

namespace Skein.Core.Agents;

/// <summary>
/// One turn of the built-in scripted model. Turn N answers the model request made after N earlier
/// assistant turns, so a script replays identically after a restart.
/// </summary>
public sealed record ScriptTurn
{
    public string? Text { get; init; }
    public IReadOnlyList<ScriptToolCall> ToolCalls { get; init; } = [];
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public int DelayMs { get; init; }

    /// <summary>When the call is streamed, the text comes word by word with this pause between words, so demos and
    /// tests see it arrive (0: all words at once, still one piece each).</summary>
    public int WordDelayMs { get; init; }

    /// <summary>When set, the model call fails with this message (a provider error).</summary>
    public string? Error { get; init; }
}

public sealed record ScriptToolCall(string Name, JsonElement? Arguments = null);
