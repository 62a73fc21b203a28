using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Engine.Tests.Guards;

/// <summary>A guard condition that cannot be evaluated in time refuses the call (fail closed) and says why.</summary>
public class GuardFailClosedTests : EngineTestBase
{
    [Fact]
    public async Task A_pattern_that_times_out_blocks_the_call_and_the_step_records_why()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                GuardRules =
                    """[{"id":"no-b","when":{"tool":"skein_echo","arguments":[{"path":"text","op":"matches","""
                    + """ "value":"(a+)+b"}]},"then":"block","reason":"no b allowed"}]""",
                Script = [Calls((EchoTool.ToolName, new { text = new string('a', 40) + "!ab" })), Says("ok")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        var error = result.GetProperty("error").GetString();
        Assert.StartsWith("blocked by guard rule 'no-b': no b allowed", error);
        Assert.Contains("timed out", error);
        var guard = Content(detail.Steps.Single(s => s.Type == "ToolCall")).GetProperty("guard");
        Assert.Equal("block", guard.GetProperty("outcome").GetString());
        var match = guard.GetProperty("matched")[0];
        Assert.Equal("no-b", match.GetProperty("rule_id").GetString());
        Assert.Contains("fail closed", match.GetProperty("failed_closed").GetString());
        Assert.Contains("timed out", guard.GetProperty("errors")[0].GetString());
    }
}
