using System.Text.Json;
using Microsoft.Extensions.AI;
using Skein.Core.Agents;
using Skein.Engine.Models;

namespace Skein.Engine.Tests.Models;

/// <summary>The scripted model's <c>{{tool_result}}</c> is the result of the call the turn answers.</summary>
public sealed class ScriptedToolResultTests
{
    private static readonly ScriptTurn[] Script =
    [
        new() { ToolCalls = [new ScriptToolCall("lookup", null)] },
        new() { Text = "first: {{tool_result}}" },
        new() { ToolCalls = [new ScriptToolCall("lookup", null)] },
        new() { Text = "second: {{tool_result}}" },
    ];

    [Fact]
    public async Task Tool_result_is_the_result_of_the_latest_call_not_an_earlier_turns()
    {
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "go"),
            Call("call_0_0"),
            Result("call_0_0", new { data = "old" }),
            new(ChatRole.Assistant, "first: old"),
            new(ChatRole.User, "again"),
            Call("call_2_0"),
            Result("call_2_0", new { data = "new" }),
        };

        var answer = await Client().GetResponseAsync(history, cancellationToken: Ct);

        Assert.Equal("second: new", answer.Text);
    }

    [Fact]
    public async Task Tool_result_is_empty_when_the_turn_answers_a_user_message_after_an_earlier_tool_result()
    {
        var script = new ScriptTurn[]
        {
            new() { ToolCalls = [new ScriptToolCall("lookup", null)] },
            new() { Text = "got {{tool_result}}" },
            new() { Text = "now [{{tool_result}}]" },
        };
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "go"),
            Call("call_0_0"),
            Result("call_0_0", new { data = "stale" }),
            new(ChatRole.Assistant, "got stale"),
            new(ChatRole.User, "and now?"),
        };

        var answer = await new ScriptedChatClient(script, "scripted", TimeProvider.System).GetResponseAsync(
            history,
            cancellationToken: Ct
        );

        Assert.Equal("now []", answer.Text);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ScriptedChatClient Client() => new(Script, "scripted", TimeProvider.System);

    private static ChatMessage Call(string id) => new(ChatRole.Assistant, [new FunctionCallContent(id, "lookup")]);

    private static ChatMessage Result(string id, object value) =>
        new(ChatRole.Tool, [new FunctionResultContent(id, JsonSerializer.SerializeToElement(value))]);
}
