using Skein.Core.Limits;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

public class LimitTests : EngineTestBase
{
    [Fact]
    public async Task A_run_that_keeps_calling_tools_fails_at_max_iterations()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Limits = new RunLimits { MaxIterations = 2 },
                Script =
                [
                    Calls((EchoTool.ToolName, new { })),
                    Calls((EchoTool.ToolName, new { })),
                    Calls((EchoTool.ToolName, new { })),
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.StartsWith(LimitCodes.MaxIterations, detail.Runs.Single().Error);
        Assert.StartsWith(LimitCodes.MaxIterations, detail.Session.Error);
        Assert.Equal(2, detail.Steps.Count(s => s.Type == "llm_request_prepared"));
    }

    [Fact]
    public async Task A_turn_that_pushes_the_run_over_max_tokens_per_run_fails_it()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Limits = new RunLimits { MaxTokensPerRun = 50 },
                Script = [Says("expensive", tokens: 80)],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.StartsWith(LimitCodes.MaxTokensPerRun, detail.Runs.Single().Error);
        Assert.Equal(80, detail.Session.TotalTokensUsed);
        Assert.DoesNotContain(detail.Steps, s => s.Type == "output");
    }

    [Fact]
    public async Task The_tool_call_beyond_max_tool_calls_fails_the_run_before_it_executes()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Limits = new RunLimits { MaxToolCalls = 2 },
                Script =
                [
                    Calls(
                        (EchoTool.ToolName, new { n = 1 }),
                        (EchoTool.ToolName, new { n = 2 }),
                        (EchoTool.ToolName, new { n = 3 })
                    ),
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.StartsWith(LimitCodes.MaxToolCalls, detail.Runs.Single().Error);
        Assert.Equal(2, detail.Steps.Count(s => s.Type == "ToolCall"));
        Assert.Equal(2, detail.Steps.Count(s => s.Type == "ToolResult"));
    }

    [Fact]
    public async Task A_session_over_max_session_tokens_fails()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Limits = new RunLimits { MaxSessionTokens = 30 },
                Script = [Says("a lot", tokens: 40)],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.StartsWith(LimitCodes.MaxSessionTokens, detail.Session.Error);
    }

    [Fact]
    public async Task A_session_that_outlives_max_session_duration_fails_with_session_duration_exceeded()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Limits = new RunLimits { MaxSessionDurationSec = 30 },
                Script = [Calls((PhronyWaitTool.ToolName, new { seconds = 60 })), Says("never reached")],
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForTimer");

        clock.Advance(TimeSpan.FromSeconds(61));
        await Host.Timers.WakeDueAsync(CancellationToken.None);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Failed");

        Assert.StartsWith(LimitCodes.SessionDuration, detail.Session.Error);
        Assert.DoesNotContain(detail.Steps, s => s.Type == "output");
    }

    [Fact]
    public async Task A_session_working_longer_than_the_plan_s_active_time_fails_and_names_active_time()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        await TestData.SetPlanLimitsAsync(
            Host.Contexts,
            maxActiveSessionSeconds: 10,
            agentWaitBudgetSeconds: 300,
            CancellationToken.None
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new() { Text = "slow thought", DelayMs = 20_000 }] }
        );
        var started = await Host.StartRunAsync(agent.AgentId);

        // The model "thinks" for 20 s of fake time; advance the clock until the run ends.
        var detail = await Eventually.Get(
            async () =>
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                return (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!;
            },
            d => d.Session.Status != "Running",
            what: "the slow run to end"
        );

        Assert.Equal("Failed", detail.Session.Status);
        Assert.StartsWith(LimitCodes.ActiveSessionTime, detail.Session.Error);
        Assert.Contains("active time", detail.Session.Error);
    }

    [Fact]
    public async Task A_wait_over_the_agent_wait_budget_is_a_tool_error_and_the_run_continues()
    {
        await TestData.SetPlanLimitsAsync(
            Host.Contexts,
            maxActiveSessionSeconds: 3600,
            agentWaitBudgetSeconds: 60,
            CancellationToken.None
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Script = [Calls((PhronyWaitTool.ToolName, new { seconds = 120 })), Says("ok, no wait then")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.StartsWith(LimitCodes.WaitBudget, result.GetProperty("error").GetString());
    }
}
