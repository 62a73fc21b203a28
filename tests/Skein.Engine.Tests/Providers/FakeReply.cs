namespace Skein.Engine.Tests.Providers;

/// <summary>One scripted answer of <see cref="FakeOpenAiServer"/>; each chat completions request takes the next
/// one.</summary>
public sealed record FakeReply
{
    public string? Text { get; init; }
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];
    public FakeUsage Usage { get; init; } = new(10, 5);

    /// <summary>A non-200 status answers with an OpenAI error object.</summary>
    public int Status { get; init; } = 200;

    /// <summary>Sent as the <c>Retry-After</c> header (seconds) of a non-200 answer.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Server-side latency before the answer starts.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Sent verbatim as an <c>application/json</c> body instead of a well-formed one.</summary>
    public string? RawBody { get; init; }

    public static FakeReply Say(string text, int promptTokens = 10, int completionTokens = 5) =>
        new() { Text = text, Usage = new(promptTokens, completionTokens) };

    public static FakeReply Call(
        string id,
        string name,
        string arguments,
        int promptTokens = 10,
        int completionTokens = 5
    ) => new() { ToolCalls = [new FakeToolCall(id, name, arguments)], Usage = new(promptTokens, completionTokens) };

    public static FakeReply Error(int status) => new() { Status = status };

    public static FakeReply Malformed() =>
        new() { RawBody = """{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":""" };
}

/// <summary>A tool call as the model sends it: <see cref="Arguments"/> is a JSON document in a string.</summary>
public sealed record FakeToolCall(string Id, string Name, string Arguments);

public sealed record FakeUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
