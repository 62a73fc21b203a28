using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Engine.Tests.Guards;

public class GuardInRunTests : EngineTestBase
{
    [Fact]
    public async Task A_call_count_rule_blocks_the_third_call_of_a_run_and_lets_the_first_two_run()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                GuardRules =
                    """[{"id":"at-most-two","when":{"tool":"skein_*","run_calls_at_least":"""
                    + """3},"then":"block","reason":"two calls are enough"}]""",
                Script =
                [
                    Calls(
                        (EchoTool.ToolName, new { n = 1 }),
                        (EchoTool.ToolName, new { n = 2 }),
                        (EchoTool.ToolName, new { n = 3 })
                    ),
                    Says("ok"),
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        var results = detail
            .Steps.Where(s => s.Type == "ToolResult")
            .Select(s => Content(s).GetProperty("result"))
            .ToList();
        Assert.Equal([true, true, false], results.Select(r => r.GetProperty("successful").GetBoolean()));
        Assert.Equal(
            "blocked by guard rule 'at-most-two': two calls are enough",
            results[2].GetProperty("error").GetString()
        );
        var calls = detail.Steps.Where(s => s.Type == "ToolCall").Select(s => Content(s)).ToList();
        Assert.False(
            calls[0].TryGetProperty("guard", out var first) && first.GetProperty("matched").GetArrayLength() > 0
        );
        Assert.Equal(
            "at-most-two",
            calls[2].GetProperty("guard").GetProperty("matched")[0].GetProperty("rule_id").GetString()
        );
    }

    [Fact]
    public async Task A_pause_rule_in_a_request_agent_blocks_instead_of_running_unreviewed()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                GuardRules =
                    """[{"id":"review","when":{"tool":"skein_echo"},"then":"pause","reason":"needs review"}]""",
                Script = [Calls((EchoTool.ToolName, new { })), Says("ok")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal(
            "blocked by guard rule 'review': needs review",
            Content(detail.Steps.Single(s => s.Type == "ToolResult"))
                .GetProperty("result")
                .GetProperty("error")
                .GetString()
        );
    }
}
