using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

public class RunLifecycleTests : EngineTestBase
{
    [Fact]
    public async Task A_run_with_one_tool_call_records_the_full_step_sequence_and_completes()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "calling",
                        ToolCalls =
                        [
                            new ScriptToolCall(EchoTool.ToolName, JsonSerializer.SerializeToElement(new { x = 1 })),
                        ],
                        InputTokens = 10,
                        OutputTokens = 5,
                    },
                    new ScriptTurn
                    {
                        Text = "all done",
                        InputTokens = 20,
                        OutputTokens = 7,
                    },
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId, new { question = "hi" });

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "ToolCall",
                "ToolResult",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            detail.Steps.Select(s => s.Type)
        );
        Assert.Equal(Enumerable.Range(1, 7), detail.Steps.Select(s => s.Sequence));
        Assert.Equal(42, detail.Session.TotalTokensUsed);
        Assert.Equal("\"all done\"", detail.Session.Output);
        var run = Assert.Single(detail.Runs);
        Assert.Equal("Completed", run.Status);
        Assert.Equal(42, run.TotalTokensUsed);
        Assert.NotNull(run.FinishedAt);

        using var result = JsonDocument.Parse(detail.Steps[3].Content);
        Assert.True(result.RootElement.GetProperty("result").GetProperty("successful").GetBoolean());
        Assert.Equal(1, result.RootElement.GetProperty("result").GetProperty("data").GetProperty("x").GetInt32());
        Assert.Equal(detail.Session.Id.ToString(), result.RootElement.GetProperty("session_id").GetString());
    }
}
