namespace Skein.Engine.Tests.Providers.Anthropic;

/// <summary>One scripted answer of <see cref="FakeAnthropicServer"/>; each <c>POST /v1/messages</c> takes the next
/// one.</summary>
public sealed record AnthropicReply
{
    public string? Text { get; init; }
    public IReadOnlyList<AnthropicToolUse> ToolUses { get; init; } = [];
    public AnthropicUsage Usage { get; init; } = new(10, 5);

    /// <summary>A non-200 status answers with an Anthropic error object (<c>rate_limit_error</c> for 429,
    /// <c>overloaded_error</c> for 529, <c>api_error</c> otherwise).</summary>
    public int Status { get; init; } = 200;

    /// <summary>The <c>retry-after</c> header (seconds) sent with a failure.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static AnthropicReply Say(string text, int inputTokens = 10, int outputTokens = 5) =>
        new() { Text = text, Usage = new(inputTokens, outputTokens) };

    public static AnthropicReply Use(string id, string name, string inputJson, int inputTokens = 10) =>
        new() { ToolUses = [new AnthropicToolUse(id, name, inputJson)], Usage = new(inputTokens, 5) };

    public static AnthropicReply Error(int status, int? retryAfterSeconds = null) =>
        new() { Status = status, RetryAfterSeconds = retryAfterSeconds };
}

/// <summary>A <c>tool_use</c> block: <see cref="InputJson"/> is the JSON object of its <c>input</c>.</summary>
public sealed record AnthropicToolUse(string Id, string Name, string InputJson);

/// <summary>The Messages API's usage: cache reads are counted apart from <c>input_tokens</c>.</summary>
public sealed record AnthropicUsage(int InputTokens, int OutputTokens, int CacheReadInputTokens = 0);
